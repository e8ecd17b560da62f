"""The audit actions of secure links. Entries name the link by its id; never its token."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

LINK = "securelinks.securelink"
register_kind(LINK, "Secure link")

register("securelink.create", "Made a secure link for a patient", kind=LINK)
register("securelink.send", "Sent a secure link to a patient", kind=LINK)
register("securelink.revoke", "Withdrew a secure link", kind=LINK)
# Uses of a link by whoever holds it (the patient, no account).
register("view.securelink", "Opened a secure link", kind=LINK)
register(
    "securelink.refused", "Refused a secure link (unknown, expired, used or withdrawn)", kind=LINK
)
register("securelink.step", "Saved a step through a secure link", kind=LINK)
register("securelink.use", "Used up a secure link (final submit)", kind=LINK)
