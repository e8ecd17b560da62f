"""Users (email login), their role in each clinic, their sessions and second factors, and
the two ways to reach one record outside normal roles (consent-based sharing, break-glass)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin


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


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
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

    def is_verified(self) -> bool:
        """Both factors passed in this request. django-otp's middleware replaces this on each
        request's user; without the middleware nobody counts as verified (fails closed)."""
        return False

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


# --- Sessions ---------------------------------------------------------------------------------


class UserSession(models.Model):
    """One signed-in browser session, so a user (or their admin) can see and end it.

    The Django ``Session`` row holds the data; this row outlives it as the record of where and
    when the user was signed in. Ending a session deletes the ``Session`` row and sets
    ``ended_at``.
    """

    class EndReason(models.TextChoices):
        LOGOUT = "logout", "Signed out"
        IDLE = "idle", "Inactive too long"
        ABSOLUTE = "absolute", "Maximum session length reached"
        ENDED_BY_USER = "ended_by_user", "Ended from My sessions"
        PASSWORD = "password", "Password changed or reset"
        DEACTIVATED = "deactivated", "Account or role deactivated"
        ADMIN = "admin", "Ended by the clinic admin"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_live")]

    def __str__(self) -> str:
        return f"{self.user} session from {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


# --- Recovery codes (a django-otp device storing only hashes) ---------------------------------


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes for when the authenticator app is lost.

    django-otp's own ``StaticToken`` keeps codes in plain text; these are stored only as
    password hashes (ASVS 6.5.2), and each is consumed on use.
    """

    class Meta(Device.Meta):
        verbose_name = "recovery code set"

    def get_throttle_factor(self) -> int:
        return 1

    def unused(self) -> models.QuerySet[RecoveryCode]:
        return self.codes.filter(used_at__isnull=True)

    def verify_token(self, token: Any) -> bool:
        """Check ``token`` against the unused codes and consume the match.

        The device row is locked for the check, and the code is consumed by a conditional
        UPDATE whose row count decides, so two simultaneous requests with the same code
        cannot both pass. Call inside the caller's transaction to keep the lock until its
        audit entry is written.
        """
        with transaction.atomic():
            # Concurrent attempts on this set queue here (SQLite: the IMMEDIATE transaction
            # already holds the write lock).
            type(self).objects.select_for_update().filter(pk=self.pk).first()
            self.refresh_from_db()
            allowed, _ = self.verify_is_allowed()
            if not allowed:
                return False
            normalised = normalise_recovery_code(str(token))
            match = None
            if normalised:
                for code in self.unused():
                    if check_password(normalised, code.code_hash):
                        match = code
                        break
            if match is None or not match.mark_used():
                self.throttle_increment(commit=True)
                return False
            self.throttle_reset(commit=True)
        return True


def normalise_recovery_code(raw: str) -> str:
    """Codes are shown as ``abcde-fghij``; accept them with any case, spaces or dashes."""
    return "".join(ch for ch in raw.lower() if ch.isalnum())


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code #{self.pk} ({'used' if self.used_at else 'unused'})"

    def mark_used(self) -> bool:
        """Consume this code; False when it was already used (by another request, perhaps)."""
        now = timezone.now()
        updated = RecoveryCode.objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=now)
        if updated:
            self.used_at = now
        return updated == 1


# --- Access to one object outside normal roles: consent-based sharing and break-glass --------


class GrantQuerySet(models.QuerySet[Any]):
    def for_object(self, obj: models.Model) -> GrantQuerySet:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=str(obj.pk))


class SharedAccess(models.Model):
    """A patient's consent lets one outside professional read some sections of one record."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="shared_access"
    )
    professional = models.ForeignKey(User, on_delete=models.PROTECT, related_name="shared_access")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    sections = models.JSONField(default=list)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = "shared access"
        verbose_name_plural = "shared access"
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharedaccess_target")]

    def __str__(self) -> str:
        return f"{self.professional} may read {', '.join(self.sections)}"

    def is_live(self, at: Any = None) -> bool:
        now = at or timezone.now()
        return (
            self.revoked_at is None
            and self.valid_from <= now
            and (self.expires_at is None or self.expires_at > now)
        )


class BreakGlassGrant(models.Model):
    """Emergency access by a staff member to one record outside their role, with a reason."""

    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "break-glass grant"
        indexes = [models.Index(fields=["clinic", "created_at"], name="breakglass_clinic_time")]

    def __str__(self) -> str:
        return f"Break-glass by {self.user} on {self.content_type.name} #{self.object_id}"

    def is_live(self, at: Any = None) -> bool:
        return self.expires_at > (at or timezone.now())


# --- Invitations to accounts that already exist ----------------------------------------------


class Invitation(models.Model):
    """A clinic admin asks someone who already has an account (another clinic's staff, a
    therapist who works with several clinics) to take a role here.

    Nothing changes for the person until they sign in with their own account and accept: only
    then is their ``Membership`` here created. The inviting admin sees only this row's state
    (sent, accepted, declined, expired), never the person's other clinics. ``subject`` is what
    the invitation is for beyond the role (an outside professional's record, linked to the
    account on acceptance by the app that owns it).
    """

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(max_length=32, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "accepted_at"], name="invitation_user_open"),
            models.Index(fields=["clinic", "created_at"], name="invitation_clinic_time"),
        ]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} ({self.status})"

    @property
    def status(self) -> str:
        """pending, accepted, declined, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.declined_at is not None:
            return "declined"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    def get_status_label(self) -> str:
        return {
            "pending": "Invitation sent",
            "accepted": "Accepted",
            "declined": "Declined",
            "revoked": "Withdrawn",
            "expired": "Expired",
        }[self.status]
