"""Signal hooks for accounts (filled in by the session and login code)."""
