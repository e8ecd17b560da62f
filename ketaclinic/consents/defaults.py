"""The built-in text of each kind of consent: version 1 of a clinic's templates.

Every clinical statement comes from the clinical reference (``shared/reference/clinical.md``)
and each template names its sources in its own footnotes, so the patient and the clinician see
them too:

* off-label IV ketamine: section 8.4 (every content point of the published consent examples:
  off-label status, dose range and schedule, common adverse effects, longer-term risks of
  repeated use, benefit less sustained than ECT, no driving, limited long-term data), with
  the numbers from sections 1.1, 1.4, 1.5, 4.1, 5.3, 7.1 and 9.1;
* sharing with an outside professional: the sharing sections of ``patients.sections``;
* 42 CFR Part 2: every element of 42 CFR 2.31 listed in section 8.3, and the redisclosure
  notice of 42 CFR 2.32;
* treatment agreement: escort and driving, section 5.3.

A clinic changes a text by publishing a new version (``actions.publish_template``); these are
only the starting point, and the clinic's physician and counsel should review them.
"""

from __future__ import annotations

from ketaclinic.consents.models import Kind
from ketaclinic.patients.sections import SHAREABLE

# 42 CFR 2.32(a)(1), as amended by the 2024 final rule (89 FR 12472, 16 Feb 2024): the notice
# that must accompany each disclosure made with the patient's written consent.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality "
    "rules (42 CFR part 2). These rules prohibit you from using or disclosing this record, or "
    "testimony that describes the information contained in this record, in any civil, "
    "criminal, administrative, or legislative proceedings by any Federal, State, or local "
    "authority, against the patient, unless authorized by the consent of the patient, except "
    "as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR "
    "2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or "
    "disclosure of this record unless at least one of the following applies: (i) Further use "
    "or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part "
    "2. (ii) You are a covered entity or business associate and have received the record for "
    "treatment, payment, or health care operations, or (iii) You have received the record "
    "from a covered entity or business associate as permitted by 45 CFR part 164, subparts A "
    "and E. A general authorization for the release of medical or other information is NOT "
    "sufficient to meet the required elements of written consent to further use or "
    "redisclose the record (see 42 CFR 2.31)."
)

OFF_LABEL = """\
## Why you are asked to read and sign this

You are asking {clinic} to treat you with ketamine given into a vein (intravenous, IV) for
the condition or conditions written under "This consent" below. Please read all of it. Ask
about anything that is not clear, and sign only when your questions have been answered.

## Ketamine for this use is "off-label"

Ketamine (Ketalar) was approved by the US Food and Drug Administration (FDA) in 1970 as an
anaesthetic only. Its use for depression, post-traumatic stress disorder (PTSD), anxiety,
substance use disorders and other mental-health conditions is "off-label": a physician may
prescribe it, but the FDA has not reviewed or approved it for these uses. [1]
Esketamine (Spravato), a nasal spray, is FDA-approved for treatment-resistant depression; the
IV ketamine used here is a different medicine and not interchangeable with it. [2]

## Dose and schedule

- The dose most studied is 0.5 mg for each kg of body weight, infused over about 40
  minutes. [3] Doses reported in the literature range from about 0.1 to 0.75 mg/kg, and some
  clinics use more; your physician sets your dose, records the reason for any change and
  tells you before changing it. [4]
- A first ("induction") series is usually about 6 infusions over 2 to 3 weeks, 2 or 3 a
  week. [5] Some people later have "maintenance" infusions; no maintenance schedule has been
  established by trials. [6]
- A visit takes about 1.5 to 2 hours: the infusion, then 30 to 60 minutes of recovery while
  staff watch over you. [7]

## Common side effects, during and shortly after an infusion

Dizziness; nausea and vomiting; dissociation (feeling detached, unreal or "floating", changes
in sight, sound or time); a rise in blood pressure and heart rate; headache; anxiety.
Sleepiness, blurred vision and numbness are also common. Most of these pass within a few hours;
dissociation is usually strongest at the first infusion and lessens over a series. [8] Staff
check your blood pressure, heart rate and oxygen level throughout, and may slow or stop the
infusion or give medicine for nausea or anxiety.

## Risks of repeated use

- **Abuse potential**: ketamine is a Schedule III controlled substance and can be misused.
- **Effects on thinking and memory**: memory and concentration problems, and possible harm to
  the brain (neurotoxicity), have been reported with frequent repeated use.
- **Bladder toxicity**: frequent use can damage the bladder (pain, urgency, frequent passing of
  urine, blood in the urine). Tell us at once if you notice any of these.
- **Liver toxicity**: liver injury has been reported with repeated use. [9]

## What to expect, and what is not known

- Many people feel better within hours or days, but not everyone does, and the benefit of a
  single infusion often fades within days to weeks. [10]
- The benefit of ketamine is less sustained than that of electroconvulsive therapy (ECT). In
  one trial of inpatients, remission was less frequent with ketamine (46%) than with ECT
  (63%); in a trial of outpatients, ketamine was not worse than ECT. [11]
- There are limited data on the long-term effects of repeated ketamine infusions. [12]

## After every infusion: no driving

Do not drive, ride a bicycle, operate machinery or make important decisions until the next
day, after a restful sleep. A responsible adult must take you home. [13]

## Other treatments, and your choices

Other treatments include antidepressant medicines, psychotherapy, esketamine nasal spray,
transcranial magnetic stimulation (TMS) and ECT; your physician will talk them through with
you. You may ask questions at any time, decline this treatment, or stop it at any time,
without losing access to other care at this clinic. This consent covers the indication(s)
written below: a new indication, or a material change to your plan, needs a new consent.

---

Sources. [1] Ketalar US label and FDA label history (approved 1970 as an anaesthetic).
[2] Spravato US label (2019). [3] Zarate et al., Arch Gen Psychiatry 2006; Murrough et al.,
Am J Psychiatry 2013. [4] Andrade, J Clin Psychiatry 2017;78(7):e852; Fava et al., Mol
Psychiatry 2018. [5] Murrough et al., Biol Psychiatry 2013; Singh et al., Am J Psychiatry
2016. [6] Phillips et al., Am J Psychiatry 2019; CANMAT 2021. [7] Clinic practice
(ketamine-infusion.com). [8] Singh et al., Am J Psychiatry 2016; Short et al., Lancet
Psychiatry 2018; Acevedo-Diaz et al., J Affect Disord 2020. [9] Ketalar US label; published
ketamine consent examples (brainhealthusa.com). [10] Han et al. 2016 meta-analysis; Murrough
et al., Biol Psychiatry 2013 (median time to relapse 18 days). [11] Ekstrand et al. (KetECT),
Int J Neuropsychopharmacol 2022; Anand et al. (ELEKT-D), N Engl J Med 2023. [12] Sanacora et
al., JAMA Psychiatry 2017 (consensus statement). [13] Ketalar US label; Spravato US label.
"""

SHARE = """\
## What you are agreeing to

I allow {clinic} to share the parts of my record listed under "This consent" below with the
professional named there, through the clinic's secure system, for the purpose written there.
The professional sees only those parts, and only while this consent is in force.

## What can be shared

Only the sections listed below are shared. The sections a consent can name are:

{sections}

Records about treatment for a substance use disorder, which federal law protects
(42 CFR Part 2), are never shared under this consent: they need a separate Part 2 consent
naming the professional.

## How long it lasts

Until the expiry date, or the event, written below, unless I revoke it sooner.

## I can revoke this at any time

I can revoke this consent at any time, for any reason, by telling any member of the clinic's
staff, in person, by phone or in writing. The clinic records the revocation at once and the
professional's access ends on their next request. Revoking does not undo what was already seen
before the revocation.

## I do not have to sign

Signing is my choice. Refusing, or revoking later, does not affect my treatment at the clinic.
"""

PART2 = """\
## Consent to disclose substance use disorder records (42 CFR Part 2)

Federal law (42 CFR Part 2) protects records of treatment for a substance use disorder. They
may be disclosed only with your written consent, which this form gives, or as that law
otherwise allows. This consent has every element 42 CFR 2.31 requires:

1. **Patient**: my name, as written under "This consent" below.
2. **Who may disclose**: {clinic} (the program that treats me), through its staff and its
   secure record system.
3. **What may be disclosed**: the sections of my record listed below, **including information
   about my substance use disorder: its diagnosis, my treatment and medications for it, and
   my progress**.
4. **To whom**: the professional named below.
5. **Purpose**: as written below.
6. **My right to revoke**: I may revoke this consent at any time, by telling any member of
   the clinic's staff in person, by phone or in writing, except where the clinic has already
   acted on it. The recipient's access ends on their next request once the revocation is
   recorded.
7. **Expiry**: this consent ends on the date, or at the event, written below, unless I revoke
   it sooner.
8. **Signature** and 9. **Date**: my signature and the date and time I signed are below.

Signing is my choice; refusing does not affect my treatment at the clinic.

## Notice to the recipient of each disclosure (42 CFR 2.32)

{notice}

---

Sources: 42 CFR 2.31 (consent requirements) and 42 CFR 2.32 (notice to accompany disclosure),
as amended by the final rule of 16 February 2024 (89 FR 12472); clinical reference 8.3.
"""

AGREEMENT = """\
## Treatment agreement

To keep me safe on infusion days, I agree that:

1. **A responsible adult takes me home** after every infusion. I will give the clinic their
   name and phone number before the infusion, and the clinic will not let me leave alone. [1]
2. **I will not drive**, ride a bicycle, operate machinery or make important decisions until
   the next day, after a restful sleep. [2]
3. I will stay until the staff say I have recovered (usually 30 to 60 minutes after the
   infusion). [3]
4. I will tell the clinic about every medicine, supplement, alcohol or drug I take, and about
   any change, before each infusion; I will follow the clinic's instructions about eating and
   drinking beforehand.
5. I will tell the clinic at once about new or worsening thoughts of harming myself, and
   about any bladder pain, blood in my urine, or other new problem.
6. I understand the clinic may postpone or stop an infusion if it is not safe that day.

---

Sources. [1] Ketalar US label (release outpatients only after complete recovery, accompanied
by a responsible adult). [2] Spravato US label (no driving until the next day after a restful
sleep); clinics advise 12 to 24 hours for IV ketamine. [3] Clinic practice
(ketamine-infusion.com). Clinical reference 5.3 and 9.1.
"""

TITLES: dict[str, str] = {
    Kind.OFF_LABEL: "Informed consent: IV ketamine (off-label use)",
    Kind.SHARE: "Consent to share my record with an outside professional",
    Kind.PART2: "Consent to disclose substance use disorder records (42 CFR Part 2)",
    Kind.AGREEMENT: "Treatment agreement: escort home and no driving",
}


def default_text(kind: str, clinic_name: str) -> tuple[str, str]:
    """The built-in (title, Markdown body) for ``kind`` at the clinic named ``clinic_name``."""
    sections = "\n".join(f"- {label}" for label in SHAREABLE.values())
    bodies = {
        Kind.OFF_LABEL: OFF_LABEL,
        Kind.SHARE: SHARE,
        Kind.PART2: PART2,
        Kind.AGREEMENT: AGREEMENT,
    }
    body = bodies[Kind(kind)].format(
        clinic=clinic_name, sections=sections, notice=REDISCLOSURE_NOTICE
    )
    return TITLES[kind], body
