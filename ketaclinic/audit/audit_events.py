"""The audit actions of the audit trail itself, and the record openings ``record_view`` makes.

``record_view(request, obj)`` records ``view``; ``record_view(request, obj, "<section>")``
records ``view.<section>``, so each section name is registered here or in its own app.
"""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

REPORT = "audit.report"
register_kind(REPORT, "Audit report")

# The object is whatever record was opened: no fixed kind.
register("view", "Opened a record")
register("view.audit_report", "Opened the audit report", kind=REPORT)
register("audit.export", "Downloaded audit entries (CSV)", kind=REPORT)
