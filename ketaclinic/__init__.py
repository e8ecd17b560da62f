"""ketaclinic: software for an IV ketamine infusion therapy clinic."""

__version__ = "0.1.0"
