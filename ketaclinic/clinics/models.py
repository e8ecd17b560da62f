"""A clinic: the tenant every clinical row belongs to."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/Chicago).")


# The public page sections written in Markdown, in page order (each with a live preview on the
# settings page).
MARKDOWN_FIELDS = (
    "public_intro",
    "public_who_it_helps",
    "public_how_a_visit_works",
    "public_what_it_feels_like",
    "public_afterwards",
    "public_faq",
    "public_costs",
)


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Used in the public page address, e.g. /c/sturges/.",
    )
    address = models.TextField(blank=True)
    phone = models.CharField(
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^[0-9+()\-. ]{7,40}$", "Enter a phone number.")],
    )
    email = models.EmailField(blank=True, help_text="Where new inquiries are announced.")
    time_zone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_time_zone]
    )
    # Public page content, written in Markdown and shown sanitised (nh3): no raw HTML, script
    # or javascript: links survive. Older plain-text content renders the same way.
    public_intro = models.TextField(blank=True)
    public_who_it_helps = models.TextField(blank=True)
    public_how_a_visit_works = models.TextField(blank=True)
    public_what_it_feels_like = models.TextField(blank=True)
    public_afterwards = models.TextField(blank=True)
    public_faq = models.TextField(blank=True, verbose_name="Frequently asked questions")
    public_costs = models.TextField(
        blank=True, verbose_name="Costs", help_text="Leave empty to keep costs off the page."
    )
    # The clinic's own look on its public page: a logo (validated and resized on upload) and
    # two colours. The colours are checked for contrast with white text (WCAG 2.2 AA, 4.5:1).
    logo = models.ImageField(upload_to="clinic-logos/", blank=True)
    brand_colour = models.CharField(
        max_length=7,
        default="#1f5fa8",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour like #1f5fa8.")],
        help_text="Header and headings on the public page.",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#1d6b38",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour like #1d6b38.")],
        help_text="The call-to-action button on the public page.",
    )
    reply_within = models.CharField(
        max_length=80,
        default="one working day",
        help_text='Shown on the thank-you page: "We aim to get back to you within ...".',
    )
    # Origins (scheme://host[:port]) allowed to show the embeddable inquiry form in a frame;
    # one per line. Empty: the form cannot be embedded anywhere (CSP frame-ancestors 'none').
    embed_origins = models.TextField(
        blank=True,
        verbose_name="Websites that may embed the form",
        help_text="One address per line, e.g. https://www.sturgesfamilypractice.example",
    )
    # Default: the US 988 Suicide & Crisis Lifeline (call or text; SAMHSA, live since July
    # 2022) and local emergency services, as the clinic brief asks. A per-clinic setting,
    # because clinics outside the US must name their own lines.
    crisis_resources = models.TextField(
        default=(
            "If you are in crisis or thinking about suicide, call or text 988 (Suicide & Crisis "
            "Lifeline, US) or call your local emergency number (911 in the US) now. This form "
            "is not watched around the clock."
        ),
        help_text="Shown prominently on the public page and after every inquiry.",
    )
    # Session limits (per clinic; security_reliability.md ASVS 7.3: idle and absolute).
    idle_timeout_min = models.PositiveIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    absolute_timeout_h = models.PositiveIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    break_glass_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="How long an emergency (break-glass) access grant lasts.",
    )
    staff_email_details = models.BooleanField(
        default=True,
        verbose_name="Put inquiry details in staff email",
        help_text=(
            "On: the new-inquiry email carries what the visitor typed. Off: it carries only a "
            "link to the inquiry (choose off unless your mail is encrypted end to end)."
        ),
    )
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
