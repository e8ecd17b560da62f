"""The consents write layer (see ``prepare``, ``signing`` and ``sharing``)."""

from ketaclinic.consents.actions.prepare import (
    create_consent,
    ensure_template,
    publish_template,
    request_reconsent,
)
from ketaclinic.consents.actions.sharing import sync_grants_for_professional
from ketaclinic.consents.actions.signing import (
    expire_consent,
    record_expiries,
    revoke_consent,
    sign_consent,
)

__all__ = [
    "create_consent",
    "ensure_template",
    "expire_consent",
    "publish_template",
    "record_expiries",
    "request_reconsent",
    "revoke_consent",
    "sign_consent",
    "sync_grants_for_professional",
]
