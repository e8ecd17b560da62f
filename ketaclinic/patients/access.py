"""Who is looking at a chart, and what of it they may see.

``chart_viewer(request, patient)`` is built once per chart request by the view (after its access
decorator admitted the request) and handed to every header item, tab and template:

* staff reading by role or by break-glass see every section (``sections is None``);
* an outside professional sees only ``sections`` from their live sharing grants;
* ``part2`` says whether 42 CFR Part 2 rows may be shown to this viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from ketaclinic.access.policy import acts_as
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.accounts.policies import shared_sections
from ketaclinic.patients import policies, sections
from ketaclinic.patients.models import Patient


@dataclass(frozen=True)
class ChartViewer:
    membership: Membership
    sections: frozenset[str] | None  # None: every section
    part2: bool
    break_glass: bool = False

    @property
    def is_outside(self) -> bool:
        return self.sections is not None

    def sees(self, section: str) -> bool:
        return self.sections is None or section in self.sections


def chart_viewer(request: ClinicRequest, patient: Patient) -> ChartViewer:
    """The viewer for ``request``; 404 for an outside professional with nothing shared."""
    by = request.membership
    if acts_as(by, [Role.OUTSIDE_PROFESSIONAL]):
        shared = frozenset(shared_sections(request.user, patient))
        if not shared:
            raise Http404("No such patient.")
        return ChartViewer(by, shared - {sections.PART2}, part2=sections.PART2 in shared)
    return ChartViewer(
        by,
        None,
        part2=policies.sees_part2_by_role(by, patient),
        break_glass=bool(getattr(request, "break_glass", False)),
    )
