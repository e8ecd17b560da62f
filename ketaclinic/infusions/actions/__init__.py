"""The write layer of the session, by workflow: ``flow`` (the state machine), ``prechecks``,
``charting`` (preparation, readings, pump, rules), ``events`` (adverse events and rescue
drugs), ``recovery`` (scores and discharge) and ``note`` (sign and addenda). Shared pieces are
in ``_base``."""
