"""The audit actions the inquiries app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

INQUIRY = "inquiries.inquiry"
# No describe: an inquiry's name is the enquirer's, patient data. The report says "Inquiry #12".
register_kind(INQUIRY, "Inquiry")

register("inquiry.submit", "Received an inquiry from the public page", kind=INQUIRY)
register("inquiry.notify_staff", "Emailed staff about a new inquiry", kind=INQUIRY)
register("inquiry.status", "Changed an inquiry's status", kind=INQUIRY)
register("inquiry.contact", "Logged a contact attempt on an inquiry", kind=INQUIRY)
register("inquiry.follow_up", "Changed an inquiry's owner or next action date", kind=INQUIRY)

# Openings of the list (record_view): they show inquirers' names and contacts. A search records
# that it was made and its other filters, never the text searched for.
register("view.inquiry_list", "Opened the inquiry list", kind=INQUIRY)
register("view.inquiry_search", "Searched the inquiries (the text is not kept)", kind=INQUIRY)
