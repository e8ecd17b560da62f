"""Daily operations tasks (run by the worker; see ``ketaclinic.ops.queue``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ketaclinic.audit.verify import verify_chain
from ketaclinic.ops import anchors
from ketaclinic.ops.queue import daily


class AuditCheckFailed(RuntimeError):
    """The daily check found the audit chain broken or contradicting an anchor."""


@daily
@task()
def record_daily_anchor() -> dict[str, Any]:
    """Check the audit chain and the recorded anchors, then anchor today's head.

    A broken chain or a contradicted anchor is emailed to the clinic admins as an alarm and no
    new anchor is written (anchoring a forged head would only add noise; the old anchors keep
    contradicting it). The task then fails, so the worker retries it an hour later.
    """
    result = verify_chain()
    if not result.ok:
        problems = [f"audit chain BROKEN at entry #{result.first_bad_id}: {result.problem}"]
    else:
        path = anchors.anchors_path()
        problems = anchors.check(path) if path.exists() else []
    if problems:
        anchors.email_alarm(problems)
        raise AuditCheckFailed("; ".join(problems))
    return anchors.record(anchors.current_head("daily"))
