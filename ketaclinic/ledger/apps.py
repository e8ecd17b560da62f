from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ketaclinic.ledger"
    label = "ledger"
    verbose_name = "Controlled-substance ledger"

    def ready(self) -> None:
        # The sign blocker: a session's controlled drugs must be reconciled before its note is
        # signed (ketaclinic.ledger.reconcile).
        from ketaclinic.infusions.hooks import register_sign_blocker
        from ketaclinic.ledger import audit_events  # noqa: F401
        from ketaclinic.ledger.reconcile import sign_blocker

        register_sign_blocker(sign_blocker)
        # The screens: their audit actions, and the session screen's controlled-substance
        # panel (registered when its module is imported).
        from ketaclinic.ledger import ui_events  # noqa: F401
        from ketaclinic.ledger.views import panel  # noqa: F401
