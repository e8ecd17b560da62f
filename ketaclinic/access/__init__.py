"""Central access policy layer (default deny)."""
