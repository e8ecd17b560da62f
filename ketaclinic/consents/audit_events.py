"""The audit actions the consents app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

CONSENT = "consents.consent"
TEMPLATE = "consents.consenttemplate"
register_kind(CONSENT, "Consent")
register_kind(TEMPLATE, "Consent template")

register("consent_template.publish", "Published a new version of a consent text", kind=TEMPLATE)
register("consent.create", "Prepared a consent for a patient to sign", kind=CONSENT)
register("consent.sign", "Witnessed a patient signing a consent", kind=CONSENT)
register("consent.revoke", "Recorded a patient revoking a consent", kind=CONSENT)
register("consent.expire", "Recorded that a consent expired", kind=CONSENT)
register("consent.supersede", "A newly signed consent replaced an earlier one", kind=CONSENT)
register("consent.reconsent", "Asked for re-consent after a material change", kind=CONSENT)
register("consent.share_sync", "Started sharing for consents naming a professional", kind=CONSENT)

# Openings (record_view): the list of a patient's consents, one consent, its signed PDF.
register("view.consents", "Opened a patient's consents", kind=CONSENT)
register("view.consent", "Opened a patient's consent", kind=CONSENT)
register("view.consent_pdf", "Downloaded the PDF copy of a signed consent", kind=CONSENT)
