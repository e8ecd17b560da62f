"""Landing pages: the public index, switching clinic, the style guide (the staff home: home.py)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.access.policy import public, verified
from ketaclinic.access.request import VerifiedRequest
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.web.style_guide import examples


@public
def index(request: HttpRequest) -> HttpResponse:
    """The site root: a clinic's public page, or the list when one server hosts several."""
    clinics = list(Clinic.objects.all()[:50])
    if len(clinics) == 1:
        return redirect("inquiries:public_page", clinic_slug=clinics[0].slug)
    return render(request, "web/index.html", {"clinics": clinics})


@verified
@require_POST
def switch_clinic(request: VerifiedRequest) -> HttpResponseRedirect:
    clinic_id = request.POST.get("clinic_id", "")
    memberships = request.user.active_memberships()
    chosen = memberships.filter(clinic_id=int(clinic_id)).first() if clinic_id.isdigit() else None
    if chosen is not None:
        with transaction.atomic():
            record(
                "session.switch_clinic",
                request=request,
                clinic=chosen.clinic,
                before={"clinic_id": request.session.get(CLINIC_SESSION_KEY)},
                after={"clinic_id": chosen.clinic_id, "role": chosen.role},
            )
        request.session[CLINIC_SESSION_KEY] = chosen.clinic_id
    return redirect("web:home")


@verified
def style_guide(request: HttpRequest) -> HttpResponse:
    """Every component of the design system with its states. Posting (the confirm dialog's
    example) changes nothing; it comes back with a success toast."""
    if request.method == "POST":
        if request.POST.get("confirmed") == "1":
            messages.success(request, "Confirmed. (Example only: nothing was changed.)")
        else:
            messages.info(request, "Sent without the dialog. (Example only: nothing was changed.)")
        return redirect("web:style_guide")
    return render(request, "web/style_guide.html", examples(request))


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "web/429.html", status=429)
