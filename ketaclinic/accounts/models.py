"""Users (email login) and their role in each clinic."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    COORDINATOR = "coordinator", "Coordinator"
    CUSTODIAN = "custodian", "Controlled-substance custodian"
    # Not clinic staff: sees only what a patient's consent shares (see SharedAccess).
    OUTSIDE_PROFESSIONAL = "outside_professional", "Outside mental-health professional"


STAFF_ROLES = frozenset(
    {Role.CLINIC_ADMIN, Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN}
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_staff", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Django's own flag for the built-in admin; our clinic admin pages do not use it.
    is_staff = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def active_memberships(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(is_active=True).select_related("clinic")


class Membership(models.Model):
    """A user's role in one clinic; a user may belong to several clinics."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="one_membership_per_clinic")
        ]
        ordering = ["clinic__name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.clinic}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES
