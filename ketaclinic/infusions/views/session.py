"""The session screen at the chair: its panels, and the live part the htmx poll refreshes."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.audit.log import record_view
from ketaclinic.infusions import panels, policies, states
from ketaclinic.infusions.models import InfusionSession

#: Seconds between the live part's refreshes (htmx ``every``): readings are due every 10
#: minutes at the most (clinical reference §2.1), so a few seconds is "at once" at the chair.
LIVE_POLL_S = 5


def session_of(request: ClinicRequest, pk: int) -> InfusionSession:
    """The clinic's session ``pk`` (404 for another clinic's)."""
    return get_object_or_404(
        InfusionSession.objects.select_related(
            "patient", "booking", "booking__chair", "plan_version"
        ),
        pk=pk,
        clinic=request.clinic,
    )


@roles(*policies.READ_ROLES)
@require_safe
def session_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    record_view(request, session, section="infusion_session", patient_ref=session.patient_id)
    return render(
        request,
        "infusions/session.html",
        {
            "session": session,
            "panels": panels.rendered(request, session, live=False),
            "live_panels": panels.rendered(request, session, live=True),
            "poll_s": LIVE_POLL_S,
            "transitions": states.available(session.state),
        },
    )


@roles(*policies.READ_ROLES)
@require_safe
def session_live(request: ClinicRequest, pk: int) -> HttpResponse:
    """The live panels only (the htmx poll's target); no audit entry per poll, the screen's
    opening was recorded."""
    session = session_of(request, pk)
    return render(
        request,
        "infusions/_live.html",
        {
            "session": session,
            "live_panels": panels.rendered(request, session, live=True),
            "poll_s": LIVE_POLL_S,
        },
    )
