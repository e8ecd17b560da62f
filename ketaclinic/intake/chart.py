"""The Intake tab of a patient's chart (``patients.chart``), registered in ``apps.ready``.

Staff only: its section is not a sharing section (``patients.sections.SHAREABLE``), so an
outside professional never sees it, and its view admits the roles that send intake links
(``intake.views.staff.SENDERS``) without break-glass."""

from __future__ import annotations

from ketaclinic.accounts.models import Role
from ketaclinic.patients.chart import ChartTab, register_tab

SECTION = "intake"

TAB = ChartTab(
    slug="intake",
    label="Intake",
    order=15,
    url_name="intake:patient",
    section=SECTION,
    roles=frozenset({Role.PHYSICIAN.value, Role.NURSE.value, Role.COORDINATOR.value}),
    break_glass=False,
)


def register() -> None:
    register_tab(TAB)
