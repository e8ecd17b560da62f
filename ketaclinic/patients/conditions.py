"""The medical-history questions the eligibility rules read.

Each is one condition from ``shared/reference/clinical.md`` section 3.1, asked as "has the
patient this?" with yes / no / not known. The wording is plain so a patient can answer it in the
intake; the rules themselves (which answer makes what class of contraindication, from which
source) live in the ``eligibility`` app as data.
"""

from __future__ import annotations

from django.db import models


class ConditionCode(models.TextChoices):
    KETAMINE_HYPERSENSITIVITY = (
        "ketamine_hypersensitivity",
        "An allergic or severe reaction to ketamine or esketamine",
    )
    BP_RISE_HAZARD = (
        "bp_rise_hazard",
        "A condition in which a rise in blood pressure would be dangerous",
    )
    ANEURYSM_OR_AVM = (
        "aneurysm_or_avm",
        "An aneurysm (aortic, brain or other artery) or an arteriovenous malformation",
    )
    INTRACEREBRAL_HAEMORRHAGE = "intracerebral_haemorrhage", "A bleed in the brain, ever"
    UNCONTROLLED_HYPERTENSION = "uncontrolled_hypertension", "High blood pressure not under control"
    PRE_ECLAMPSIA = "pre_eclampsia", "Eclampsia or pre-eclampsia now"
    SEVERE_HEART_DISEASE = "severe_heart_disease", "Severe coronary or heart-muscle disease"
    STROKE = "stroke", "A stroke (cerebrovascular accident)"
    HEAD_INJURY = "head_injury", "A serious head injury (cerebral trauma)"
    RAISED_INTRACRANIAL_PRESSURE = (
        "raised_intracranial_pressure",
        "Raised pressure inside the skull, or a growth in the brain",
    )
    RAISED_EYE_PRESSURE = (
        "raised_eye_pressure",
        "Raised pressure in the eye (such as glaucoma) or an open eye injury",
    )
    ISCHAEMIC_HEART_DISEASE = "ischaemic_heart_disease", "Angina or coronary heart disease"
    ARRHYTHMIA = "arrhythmia", "An irregular heartbeat (arrhythmia)"
    PSYCHOSIS_CURRENT = "psychosis_current", "Psychosis or schizophrenia now"
    PSYCHOSIS_PAST = "psychosis_past", "Psychosis or schizophrenia in the past"
    MANIA_CURRENT = "mania_current", "A manic episode now"
    BIPOLAR = "bipolar", "Bipolar disorder"
    KETAMINE_OR_PCP_MISUSE = "ketamine_or_pcp_misuse", "Misuse of ketamine or PCP, ever"
    LIVER_DISEASE = "liver_disease", "Liver disease"
    URINARY_SYMPTOMS = "urinary_symptoms", "Bladder or urinary problems (pain, urgency, blood)"


class TriState(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"
