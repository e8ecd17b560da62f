"""The demo clinic: one clinic, one user per role and synthetic inquiries in every status.

Everything here is synthetic and labelled as such. Production mode refuses to start while any
demo account exists (see ``ketaclinic serve``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic

DEMO_PASSWORD = "demo-clinic-password"  # noqa: S105 - printed for the demo on purpose
DEMO_SLUG = "demo"
DEMO_USERS = [
    ("admin@demo.ketaclinic.test", "Dana Admin (demo)", Role.CLINIC_ADMIN),
    ("physician@demo.ketaclinic.test", "Dr. Paul Okafor (demo)", Role.PHYSICIAN),
    ("nurse@demo.ketaclinic.test", "Nina Reyes RN (demo)", Role.NURSE),
    ("coordinator@demo.ketaclinic.test", "Cora Lind (demo)", Role.COORDINATOR),
    ("custodian@demo.ketaclinic.test", "Carl Stone (demo)", Role.CUSTODIAN),
    ("therapist@demo.ketaclinic.test", "Theo Marsh LCSW (demo)", Role.OUTSIDE_PROFESSIONAL),
]
PENDING_INVITE = ("invited@demo.ketaclinic.test", "Ivy Invited (demo)", Role.COORDINATOR)

# The demo clinic's public page, in Markdown, paraphrased from a real clinic's page about its
# IV ketamine service (shared/seed); the driving advice is from the Ketalar and Spravato labels
# (reference/clinical.md, 5.3). No clinical numbers are invented here.
PUBLIC_PAGE = {
    "public_intro": (
        "Ketamine is best known as an anaesthetic, but given at a low dose by vein in a "
        "clinic, it can help people with mental-health conditions.\n\n"
        "It acts on **glutamate**, the brain's most common chemical messenger, rather than on "
        "serotonin like most antidepressants, and it works quickly: many people notice a "
        "difference within hours or days."
    ),
    "public_who_it_helps": (
        "Adults living with:\n\n"
        "- depression\n"
        "- anxiety\n"
        "- post-traumatic stress disorder (PTSD)\n"
        "- addiction\n\n"
        "usually alongside the care they already receive. The drug alone does not solve these "
        "problems; it helps the work you do with your mental-health professional move forward."
    ),
    "public_how_a_visit_works": (
        "Each treatment involves three people:\n\n"
        "1. **You.**\n"
        "2. **Our physician**, who gives the intravenous (IV) infusion and watches its effect "
        "closely throughout. Given by vein, ketamine acts quickly and can be adjusted as it "
        "goes.\n"
        "3. **Your mental-health professional**, who guides the therapeutic work during and "
        "between sessions.\n\n"
        "We are the physician in this team; we do not provide the therapist. Most people bring "
        "one they already know. If you do not have one, we can introduce you to professionals "
        "who understand this therapy. Your treatment plan is drafted for you after a "
        "consultation."
    ),
    "public_what_it_feels_like": (
        "It varies from person to person. At the low doses we use, most people feel relaxed "
        "and do not see hallucinations; many notice little at all while the infusion runs.\n\n"
        "Some people feel unreal or detached for a while. If that is distressing, the physician "
        "can lower the dose or give a medicine that counteracts it."
    ),
    "public_afterwards": (
        "A few people feel a little floaty, tired or sick to their stomach for some hours. "
        "These effects are usually mild and pass.\n\n"
        "**Someone needs to drive you home**, and you should not drive until the next day."
    ),
    "public_faq": (
        "# Do I need my own therapist?\n\n"
        "It helps: most people bring a mental-health professional they already work with. If "
        "you do not have one, ask us and we can introduce you to someone who knows this "
        "therapy.\n\n"
        "# Who gives the infusion?\n\n"
        "Our physician places the IV, gives the ketamine and watches how you respond the whole "
        "time.\n\n"
        "# Can I drive home afterwards?\n\n"
        "No. Please arrange for someone to take you home, and do not drive until the next "
        "day.\n\n"
        "# Does sending the form commit me to anything?\n\n"
        "No. It only asks us to get in touch. It does not make you a patient and is not "
        "medical advice."
    ),
    "public_costs": (
        "We go through the costs with you at the consultation, before any treatment is "
        "booked. Ask us about them in the form if you would like to know more first."
    ),
}


def demo_exists() -> bool:
    return (
        User.objects.filter(is_demo=True).exists() or Clinic.objects.filter(is_demo=True).exists()
    )


def _b32(hex_key: str) -> str:
    return base64.b32encode(binascii.unhexlify(hex_key)).decode()


@transaction.atomic
def create_demo() -> Clinic:
    clinic = Clinic.objects.create(
        name="Demo Ketamine Clinic (synthetic data)",
        slug=DEMO_SLUG,
        address="100 Example Street\nSturges, MI 49091 (demo)",
        phone="(555) 010-0100",
        email="front-desk@demo.ketaclinic.test",
        time_zone="America/Detroit",
        is_demo=True,
        **PUBLIC_PAGE,
    )
    users: dict[str, User] = {}
    for email, name, role in DEMO_USERS:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, is_demo=True)
        TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
        Membership.objects.create(user=user, clinic=clinic, role=role)
        users[role.value] = user
    # One invitation nobody has used yet (no password), so the staff list shows that state.
    email, name, role = PENDING_INVITE
    invited = User.objects.create_user(email, None, full_name=name, is_demo=True)
    Membership.objects.create(user=invited, clinic=clinic, role=role)
    record("demo.create", clinic=clinic, obj=clinic, after={"users": len(users) + 1})
    from ketaclinic.inquiries.demo import create_demo_inquiries

    create_demo_inquiries(clinic, users)
    from ketaclinic.patients.demo import seed as seed_patients

    seed_patients(clinic)
    # After the patients' seed: sign the eligible ones.
    from ketaclinic.eligibility.demo import seed as seed_eligibility

    seed_eligibility(clinic)
    # After the patients seed (it acts on whatever demo patients exist).
    from ketaclinic.careteam.demo import seed as seed_care_team

    seed_care_team(clinic)
    from ketaclinic.consents.demo import seed as seed_consents

    seed_consents(clinic)  # keep after the patients and care-team seeds: it signs for them
    from ketaclinic.intake.demo import seed as seed_intake

    seed_intake(clinic, users)
    # After the patients seed (when there is one): outcomes attach to its demo patients.
    from ketaclinic.measurement.demo_outcomes import seed as seed_outcomes

    seed_outcomes(clinic)
    from ketaclinic.measurement.demo import seed as seed_measurement

    seed_measurement(clinic)
    # After the patients, eligibility and consents seeds: plans for those ready to sign.
    from ketaclinic.treatment.demo import seed as seed_treatment

    seed_treatment(clinic)
    # Last: it books the patients the seeds above made eligible.
    from ketaclinic.scheduling.demo import seed as seed_schedule

    seed_schedule(clinic)
    # After the schedule: today's infusion sessions in every phase, on the chairs above.
    from ketaclinic.infusions.demo import seed as seed_infusions
    from ketaclinic.infusions.demo import sign as sign_infusion_note

    seed_infusions(clinic)
    # The ledger follows the sessions (draws, administered, witnessed waste); a note is signed
    # only once its ketamine is reconciled.
    seed_ledger = _ledger_seed()
    if seed_ledger is not None:
        seed_ledger(clinic)
    sign_infusion_note(clinic)
    return clinic


def _ledger_seed() -> Any:
    try:
        from ketaclinic.ledger.demo import seed
    except ImportError:  # the ledger's demo lands with its screens
        return None
    return seed


def current_code(user: User) -> str | None:
    """The TOTP code a demo account's authenticator would show now (demo mode only)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def login_lines() -> list[str]:
    """The demo logins, as printed by ``ketaclinic serve --demo`` and ``ketaclinic demo``."""
    lines = [
        "",
        "Demo clinic logins (synthetic data; demo mode only)",
        f"  password for every account: {DEMO_PASSWORD}",
        "  second factor: in demo mode the sign-in page shows each demo account's current code;",
        "  or add the TOTP secret below to any authenticator app.",
    ]
    for user in User.objects.filter(is_demo=True).order_by("id"):
        if not user.has_usable_password():
            continue  # the pending invitation: nobody signs in as it
        membership = user.memberships.first()
        role = membership.get_role_display() if membership else "-"
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        secret = _b32(device.key) if device else "-"
        lines.append(f"  {role:<36} {user.email:<36} TOTP secret {secret}")
    lines.append("")
    return lines
