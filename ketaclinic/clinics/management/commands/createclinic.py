"""``ketaclinic manage createclinic``: a clinic and its first clinic admin (site operator)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketaclinic.clinics.operator import create_clinic


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create a clinic and its first clinic admin; prints a one-time set-password link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="used in the public page address")
        parser.add_argument("--time-zone", required=True, help="e.g. America/Chicago")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="", help="needed when the account is new")
        parser.add_argument(
            "--base-url", required=True, help="the site's address, e.g. https://clinic.example.org"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            granted = create_clinic(
                name=options["name"],
                slug=options["slug"],
                time_zone=options["time_zone"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                base_url=options["base_url"],
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        clinic = granted.membership.clinic
        self.stdout.write(f"Created clinic {clinic.name} (/c/{clinic.slug}/).")
        self.stdout.write(f"Clinic admin: {granted.membership.user.email}")
        if granted.set_password_url:
            self.stdout.write(
                "Give the admin this one-time link to choose a password (two-factor setup "
                f"follows at first sign-in):\n  {granted.set_password_url}"
            )
