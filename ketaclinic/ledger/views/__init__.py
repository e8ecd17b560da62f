"""The ledger's screens: stock and containers (``stock``), counts, losses, destruction,
adjustments and discrepancies (``oversight``), reports and inventories (``reports``), and the
controlled-substance panel at the infusion session (``panel``)."""
