"""``ketaclinic manage grantrole``: give an account a role in a clinic (site operator)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketaclinic.accounts.models import Role
from ketaclinic.clinics.management.commands.createclinic import validation_message
from ketaclinic.clinics.models import Clinic
from ketaclinic.clinics.operator import grant_role


class Command(BaseCommand):
    help = (
        "Give an account (new or existing) a role in a clinic. Clinic admins cannot attach "
        "accounts that already exist; this is the operator's way to do so."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--clinic", required=True, help="the clinic's slug")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", default="", help="needed when the account is new")
        parser.add_argument("--base-url", required=True, help="e.g. https://clinic.example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"--clinic: no clinic with slug {options['clinic']!r}")
        try:
            granted = grant_role(
                email=options["email"],
                full_name=options["name"],
                clinic=clinic,
                role=options["role"],
                base_url=options["base_url"],
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        m = granted.membership
        self.stdout.write(f"{m.user.email} is now {m.get_role_display()} at {clinic.name}.")
        if granted.set_password_url:
            self.stdout.write(f"One-time link to choose a password:\n  {granted.set_password_url}")
