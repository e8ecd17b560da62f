"""What the site operator (shell access to the server) does: set up a clinic and its first
admin, and give an existing account a role in another clinic.

The clinic admin pages cannot do either: a clinic admin acts only inside their own clinic and
may not attach accounts that exist elsewhere (that would let one clinic take control of
another clinic's staff). The operator is trusted by the server itself; each change is audited
with action names under ``operator.``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic


@dataclass(frozen=True)
class Granted:
    membership: Membership
    new_account: bool
    set_password_url: str | None


def set_password_url(user: User, base_url: str) -> str:
    """A one-time link (Django's password-reset token) to choose a password; second factor
    enrolment follows at the first sign-in."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def create_clinic(
    *, name: str, slug: str, time_zone: str, admin_email: str, admin_name: str, base_url: str
) -> Granted:
    """Create a clinic and its first clinic admin (a new or an existing account)."""
    clinic = Clinic(name=name, slug=slug, time_zone=time_zone)
    clinic.full_clean()
    with transaction.atomic():
        clinic.save()
        record(
            "operator.clinic.create",
            clinic=clinic,
            obj=clinic,
            after={"name": name, "slug": slug, "time_zone": time_zone},
        )
        return grant_role(
            email=admin_email,
            full_name=admin_name,
            clinic=clinic,
            role=Role.CLINIC_ADMIN,
            base_url=base_url,
        )


def grant_role(*, email: str, full_name: str, clinic: Clinic, role: str, base_url: str) -> Granted:
    """Give ``email`` a role in ``clinic``; create the account (without a password) if new."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; one of {', '.join(Role.values)}."})
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        new_account = user is None
        if user is None:
            if not full_name.strip():
                raise ValidationError({"full_name": "A new account needs the person's name."})
            user = User(email=email, full_name=full_name.strip())
            user.set_unusable_password()
            user.full_clean()
            user.save()
        if Membership.objects.filter(user=user, clinic=clinic).exists():
            raise ValidationError({"email": f"{email} already has a role at {clinic.name}."})
        membership = Membership.objects.create(user=user, clinic=clinic, role=role)
        record(
            "operator.membership.grant",
            clinic=clinic,
            obj=membership,
            after={"user_id": user.pk, "role": role, "new_account": new_account},
        )
    # Someone who has never chosen a password (new, or invited and never finished) gets a link.
    link = None if user.has_usable_password() else set_password_url(user, base_url)
    return Granted(membership, new_account, link)
