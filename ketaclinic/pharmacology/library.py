"""Library of published ketamine pharmacokinetic models.

Values, status tags and transcriptions are those of
``shared/reference/pharmacokinetics.md`` section 1 (tables 1.1-1.3); every
entry carries its full citation, parameter table (typical values at 70 kg, in
L, L/min or 1/min), weight scaling, fitted population and validity range.

Left out: Fanta 2015 and Henthorn 2018 (only clearances in the abstracts; the
full parameter tables were not retrieved), Kamp 2020 BJA metabolite model
(tables not retrieved).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import PharmacologyInputError
from .linear import LinearSystem
from .models import Parameter, ParameterSet, Patient, PKModel, Validity

ADULT = Validity(
    None, (18.0, 120.0), "adult-only model; fitted ranges not retrieved, design assumption"
)


def _cv_to_omega(cv: float) -> float:
    """SD of the log parameter for a coefficient of variation: sqrt(ln(1 + CV^2))."""
    return math.sqrt(math.log1p(cv * cv))


DOMINO_1984 = PKModel(
    model_id="domino1984",
    title="Domino 1984 (STANPUMP set), default adult model",
    citation=(
        "Domino EF, Domino SE, Smith RE, et al. Ketamine kinetics in unmedicated and "
        "diazepam-premedicated subjects. Clin Pharmacol Ther 1984;36:645-653. Parameter set as "
        "used by STANPUMP (StevenLShafer/stanpumpR R/drugs_ketamine.R and its test) and "
        "opentiva (opentiva/ketamine.py)."
    ),
    population="Adult volunteers with and without diazepam premedication",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 0.063 * 70, "L", "linear", "0.063 L/kg total body weight"),
        Parameter("k10", 0.438, "1/min", "none", "stanpumpR; opentiva 0.4381"),
        Parameter("k12", 0.592, "1/min", "none", "stanpumpR; opentiva 0.5921"),
        Parameter("k13", 0.590, "1/min", "none", ""),
        Parameter("k21", 0.247, "1/min", "none", ""),
        Parameter("k31", 0.0146, "1/min", "none", ""),
    ),
    structure="mammillary-micro",
    validity=ADULT,
    default_ke0_per_min=0.653,
    ke0_source=(
        "Assumed 1-min time to peak effect after an instantaneous bolus (opentiva convention, "
        "opentiva quotes 0.652/min). The exact root at 70 kg is 0.65242/min "
        "(ke0_for_time_to_peak), so opentiva's 0.652 is its correct 3-decimal rounding; the "
        "default 0.653/min is the value the reference's own check reported "
        "(pharmacokinetics.md 0 and 1.3, 'we reproduce 0.653') and the one the command-line "
        "contract of issue 3 uses. It is not a rounding of 0.65242; it puts the peak at "
        "0.99958 min instead of 1 min (0.03 s earlier). Not an EEG-derived value; ketamine ke0 "
        "is endpoint dependent (pharmacokinetics.md 1.3)."
    ),
)

KAMP_2020 = PKModel(
    model_id="kamp2020",
    title="Kamp 2020 meta-analysis (pooled raw data)",
    citation=(
        "Kamp J, Olofsen E, Henthorn TK, van Velzen M, Niesters M, Dahan A. Ketamine "
        "pharmacokinetics: a systematic review of the literature, meta-analysis, and population "
        "analysis. Anesthesiology 2020;133:1192-1213, doi:10.1097/ALN.0000000000003577. "
        "Parameters via opentiva (opentiva/ketamine.py class Klamp); abstract verified."
    ),
    population="14 data sets, healthy adults and patients; arterial central compartment",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 25.0, "L", "linear", "25 L/70 kg"),
        Parameter("V2", 56.0, "L", "linear", "56 L/70 kg"),
        Parameter("V3", 157.0, "L", "linear", "157 L/70 kg"),
        Parameter("CL1", 84.0 / 60, "L/min", "linear", "84 L/h/70 kg"),
        Parameter("CL2", 161.0 / 60, "L/min", "linear", "161 L/h/70 kg"),
        Parameter("CL3", 79.0 / 60, "L/min", "linear", "79 L/h/70 kg"),
    ),
    structure="mammillary-clearance",
    validity=ADULT,
    default_ke0_per_min=2.790,
    ke0_source=(
        "Assumed 1-min time to peak after an instantaneous bolus: the exact root at 70 kg is "
        "2.79146/min (ke0_for_time_to_peak; opentiva 2.791, its correct rounding). The default "
        "2.790/min is the value the reference's check reported (pharmacokinetics.md 1.3); it "
        "puts the peak at 1.00037 min (0.02 s later)."
    ),
    notes="No covariate effects were found in the meta-regression.",
)

HERD_2007 = PKModel(
    model_id="herd2007",
    title="Herd 2007 (children, with published between-subject variability)",
    citation=(
        "Herd D, Anderson BJ. Ketamine disposition in children presenting for procedural "
        "sedation and analgesia in a children's emergency department. Paediatr Anaesth "
        "2007;17:622-629, doi:10.1111/j.1460-9592.2006.02145.x (PMID 17564643)."
    ),
    population="54 children aged 8.3 +/- 3.5 y, emergency-department sedation, 1-1.5 mg/kg IV",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 38.7, "L", "linear", "38.7 L/70 kg"),
        Parameter("V2", 102.0, "L", "linear", "102 L/70 kg"),
        Parameter("CL1", 90.0 / 60, "L/min", "allometric", "90 L/h/70 kg, exponent 0.75"),
        Parameter("CL2", 215.0 / 60, "L/min", "allometric", "215 L/h/70 kg (Q), exponent 0.75"),
    ),
    structure="mammillary-clearance",
    validity=Validity((10.8, 74.8), (1.0, 14.0), "ranges as encoded by opentiva"),
    special_population=True,
    default_ke0_per_min=math.log(2) / (11.0 / 60.0),
    ke0_source=(
        "Herd DW, Anderson BJ, Keene NA, Holford NHG. Paediatr Anaesth 2008;18:36-42: sedation "
        "equilibration half-time 11 s -> ke0 = ln2/t1/2 = 3.78/min."
    ),
    omega={
        "V1": _cv_to_omega(0.64),
        "V2": _cv_to_omega(0.517),
        "CL1": _cv_to_omega(0.381),
        "CL2": _cv_to_omega(0.19),
    },
    omega_source=(
        "Herd 2007 abstract: BSV V1 64 %, V2 51.7 %, CL 38.1 %, Q 19 %, read as coefficients of "
        "variation and converted to the SD of the log parameter, sqrt(ln(1 + CV^2)) = 0.586, "
        "0.487, 0.368, 0.188, as for Flint 2017 and Perez-Ruixo 2021 in this library and as the "
        "reference did for its band (pharmacokinetics.md section 0: 5-95 % 166-352 ng/mL at "
        "40 min after 0.5 mg/kg over 40 min, 70 kg). Reading the percentages directly as the "
        "log SD (NONMEM sqrt(omega^2) convention) would widen that band to about 160-359 ng/mL."
    ),
)

SHERWIN_2015 = PKModel(
    model_id="sherwin2015",
    title="Sherwin 2015 (children) - special population",
    citation=(
        "Sherwin CMT, Anderson BJ, et al. Development of an optimal sampling schedule for children "
        "receiving ketamine for short-term procedural sedation and analgesia. Paediatr Anaesth "
        "2015;25:211-216, doi:10.1111/pan.12521 (abstract)."
    ),
    population="57 children, 1-1.5 mg/kg IV",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 20.5, "L", "linear", "20.5 L/70 kg"),
        Parameter("V2", 220.0, "L", "linear", "220 L/70 kg"),
        Parameter("CL1", 87.9 / 60, "L/min", "allometric", "87.9 L/h/70 kg; exponent assumed"),
        Parameter("CL2", 87.3 / 60, "L/min", "allometric", "87.3 L/h/70 kg; exponent assumed"),
    ),
    structure="mammillary-clearance",
    validity=Validity(
        (1.3, 63.7),
        (0.0, 18.0),
        "ASSUMED ranges: the abstract (57 children, 1-1.5 mg/kg IV) gives neither weight nor "
        "age; weight is the mean +/- 2 SD (32.5 +/- 15.6 kg) of the Herd 2007 cohort of the "
        "same senior author, indication and dose, age is 'children' (< 18 y)",
    ),
    special_population=True,
    notes="Population parameter variability 34-98 % not itemised per parameter; no BSV encoded.",
)

HORNIK_2018 = PKModel(
    model_id="hornik2018",
    title="Hornik 2018 (children, IM + IV) - special population",
    citation=(
        "Hornik CP, Gonzalez D, van den Anker J, et al. Population pharmacokinetics of "
        "intramuscular and intravenous ketamine in children. J Clin Pharmacol 2018, "
        "doi:10.1002/jcph.1116 (PMID 29677389). Parameters via opentiva."
    ),
    population="Children receiving IM or IV ketamine",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 32.8, "L", "linear", "32.8 L/70 kg"),
        Parameter("V2", 152.0, "L", "linear", "152 L/70 kg"),
        Parameter("CL1", 38.9 / 60, "L/min", "allometric", "38.9 L/h/70 kg"),
        Parameter("CL2", 54.9 / 60, "L/min", "allometric", "54.9 L/h/70 kg"),
    ),
    structure="mammillary-clearance",
    validity=Validity((2.0, 176.0), (1.0, 18.0), "ranges as encoded by opentiva"),
    special_population=True,
    notes="Clearance looks low: predicts about twice the other models (reference 1.1).",
)

CLEMENTS_1981 = PKModel(
    model_id="clements1981",
    title="Clements & Nimmo 1981 (250 ug/kg bolus arm) - special population",
    citation=(
        "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine in man. "
        "Br J Anaesth 1981;53:27-30, doi:10.1093/bja/53.1.27. Parameters via opentiva "
        "(class Clements250)."
    ),
    population="Adult volunteers, 250 ug/kg IV bolus, sparse early sampling",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 1.7522 * 70, "L", "linear", "1.7522 L/kg"),
        Parameter("k10", 0.0109, "1/min", "none", ""),
        Parameter("k12", 0.0186, "1/min", "none", ""),
        Parameter("k21", 0.0137, "1/min", "none", ""),
    ),
    structure="mammillary-micro",
    validity=ADULT,
    special_population=True,
    notes="V1 implausibly large; early sampling sparse (reference 1.1).",
)

HIJAZI_2003 = PKModel(
    model_id="hijazi2003",
    title="Hijazi 2003 (ICU, brain or spinal injury) - special population",
    citation=(
        "Hijazi Y, Bodonian C, Bolon M, Salord F, Boulieu R. Pharmacokinetics and haemodynamics "
        "of ketamine in intensive care patients with brain or spinal cord injury. Br J Anaesth "
        "2003;90:155-160, doi:10.1093/bja/aeg028. Parameters via opentiva."
    ),
    population="12 adult intensive-care patients with brain or spinal cord injury",
    analyte="racemic ketamine",
    parameters=(
        Parameter("V1", 1.08 * 70, "L", "linear", "1.08 L/kg"),
        Parameter("k10", 0.0333, "1/min", "none", ""),
        Parameter("k12", 0.0088, "1/min", "none", ""),
        Parameter("k21", 0.0030, "1/min", "none", ""),
    ),
    structure="mammillary-micro",
    validity=ADULT,
    special_population=True,
)

FLINT_2017 = PKModel(
    model_id="flint2017",
    title="Flint 2017 S-ketamine (PICU children) - special population",
    citation=(
        "Flint RB, Brouwer CNM, Kraenzel ASC, et al. Pharmacokinetics of S-ketamine during "
        "prolonged sedation at the pediatric intensive care unit. Pediatr Anesth "
        "2017;27:1098-1107. Parameters via nlmixr2lib "
        "inst/modeldb/specificDrugs/Flint_2017_s_ketamine.R (Table 3). Parent only."
    ),
    population="25 PICU children aged 0.02-12.5 y, prolonged S-ketamine infusion",
    analyte="S-ketamine",
    parameters=(
        Parameter("V1", 7.73, "L", "linear", "7.73 L/70 kg"),
        Parameter("V2", 545.0, "L", "linear", "545 L/70 kg"),
        Parameter("CL1", 112.0 / 60, "L/min", "allometric", "112 L/h/70 kg"),
        Parameter("CL2", 196.0 / 60, "L/min", "allometric", "196 L/h/70 kg"),
    ),
    structure="mammillary-clearance",
    validity=Validity(
        (3.4, 35.0),
        (0.02, 12.5),
        "Flint 2017 Table 2 via nlmixr2lib: weight 3.4-35 kg (median 7.0), age 0.02-12.5 y",
    ),
    special_population=True,
    omega={"CL1": _cv_to_omega(0.402)},
    omega_source="CL 40.2 % (CV) converted to sqrt(ln(1 + CV^2)).",
    notes="S-norketamine part (time-varying CL/Fm) not encoded.",
)

_PR_NAMES = ("Vc", "Q1", "Vp1", "Q2", "Vp2", "Qh", "Vh", "kel", "kmet", "Vcn", "CLn", "Vpn", "Q3")


def _perez_ruixo_system(p: ParameterSet) -> LinearSystem:
    """Six-state esketamine + noresketamine system (IV route) of Perez-Ruixo 2021.

    States (mg): esketamine central, peripheral 1, peripheral 2, hepato-portal
    (liver), noresketamine central, noresketamine peripheral.  Liver loses
    ``kel`` (other metabolites) and ``kmet`` (to noresketamine).  Structure as
    encoded in nlmixr2lib ``PerezRuixo_2020_esketamine.R``.
    """
    for name in _PR_NAMES:
        if name not in p:
            raise PharmacologyInputError(name, "parameter missing")
        if np.any(~np.isfinite(p[name])) or np.any(p[name] <= 0):
            raise PharmacologyInputError(name, "must be a positive finite number")
    n_pat = len(p["Vc"])
    a = np.zeros((n_pat, 6, 6))
    k1p1, kp11 = p["Q1"] / p["Vc"], p["Q1"] / p["Vp1"]
    k1p2, kp21 = p["Q2"] / p["Vc"], p["Q2"] / p["Vp2"]
    k1h, kh1 = p["Qh"] / p["Vc"], p["Qh"] / p["Vh"]
    ken, kn12, kn21 = p["CLn"] / p["Vcn"], p["Q3"] / p["Vcn"], p["Q3"] / p["Vpn"]
    a[:, 0, 0] = -(k1p1 + k1p2 + k1h)
    a[:, 0, 1], a[:, 0, 2], a[:, 0, 3] = kp11, kp21, kh1
    a[:, 1, 0], a[:, 1, 1] = k1p1, -kp11
    a[:, 2, 0], a[:, 2, 2] = k1p2, -kp21
    a[:, 3, 0], a[:, 3, 3] = k1h, -(kh1 + p["kel"] + p["kmet"])
    a[:, 4, 3], a[:, 4, 4], a[:, 4, 5] = p["kmet"], -(ken + kn12), kn21
    a[:, 5, 4], a[:, 5, 5] = kn12, -kn21
    b = np.zeros((n_pat, 6))
    b[:, 0] = 1.0
    cp = np.zeros((n_pat, 6))
    cp[:, 0] = 1.0 / p["Vc"]
    cm = np.zeros((n_pat, 6))
    cm[:, 4] = 1.0 / p["Vcn"]
    names = ("central", "peripheral_1", "peripheral_2", "liver", "nor_central", "nor_peripheral")
    return LinearSystem(a, b, {"plasma": cp, "metabolite": cm}, names, (True,) * 6)


def _perez_ruixo_age(p: ParameterSet, patient: Patient) -> ParameterSet:
    """Qh falls by 2.19 L/h per year of age above 60 (Perez-Ruixo 2021 Table 3).

    The linear decline reaches zero hepatic flow at about 129 y (151 L/h / 2.19
    L/h per year above 60); an age that leaves ``Qh <= 0`` is refused naming
    ``age_years`` (the fitted range is 18-86 y).
    """
    if patient.age_years is None or patient.age_years <= 60:
        return p
    out = dict(p)
    out["Qh"] = p["Qh"] - 2.19 / 60 * (patient.age_years - 60)
    if np.any(out["Qh"] <= 0):
        raise PharmacologyInputError(
            "age_years",
            f"{patient.age_years:g} y gives no hepatic flow in the Perez-Ruixo 2021 age "
            "covariate (Qh - 2.19 L/h per year above 60 y reaches 0 at about 129 y; "
            "fitted 18-86 y)",
        )
    return out


PEREZ_RUIXO_2021 = PKModel(
    model_id="perezruixo2021",
    title="Perez-Ruixo 2021 esketamine + noresketamine (IV part)",
    citation=(
        "Perez-Ruixo C, Rossenu S, Zannikos P, Nandy P, Singh J, Drevets WC, Perez-Ruixo JJ. "
        "Population pharmacokinetics of esketamine nasal spray and its metabolite noresketamine "
        "in healthy subjects and patients with treatment-resistant depression. Clin Pharmacokinet "
        "2021;60:501-516, doi:10.1007/s40262-020-00953-4. Structure and Table 3 values via "
        "nlmixr2lib PerezRuixo_2020_esketamine.R (non-Asian parameters)."
    ),
    population=(
        "820 subjects (256 healthy, 564 with treatment-resistant depression), 13 studies, "
        "intranasal/IV/oral esketamine, venous sampling; age 18-86 y, weight 39-170 kg"
    ),
    analyte="S-ketamine",
    parameters=tuple(
        Parameter(name, value / 60 if unit != "L" else value, unit, "none", note)
        for name, value, unit, note in (
            ("Vc", 192.0, "L", "central volume"),
            ("Q1", 84.3, "L/min", "84.3 L/h"),
            ("Vp1", 143.0, "L", "shallow peripheral volume"),
            ("Q2", 37.6, "L/min", "37.6 L/h"),
            ("Vp2", 417.0, "L", "deep peripheral volume"),
            ("Qh", 151.0, "L/min", "hepatic blood flow 151 L/h"),
            ("Vh", 101.0, "L", "hepato-portal volume"),
            ("kel", 1.11, "1/min", "1.11 /h to other metabolites"),
            ("kmet", 2.77, "1/min", "2.77 /h to noresketamine"),
            ("Vcn", 70.0, "L", "noresketamine Vcn/F (apparent)"),
            ("CLn", 38.0, "L/min", "noresketamine CLn/F 38 L/h (apparent)"),
            ("Vpn", 115.0, "L", "noresketamine Vpn/F (apparent)"),
            ("Q3", 26.1, "L/min", "noresketamine Q3/F 26.1 L/h (apparent)"),
        )
    ),
    structure="general",
    validity=Validity((39.0, 170.0), (18.0, 86.0), "Perez-Ruixo 2021 Table 2"),
    builder=_perez_ruixo_system,
    covariates=_perez_ruixo_age,
    omega={
        "Vc": _cv_to_omega(0.275),
        "Vp1": _cv_to_omega(0.493),
        "Qh": _cv_to_omega(0.232),
        "Vh": _cv_to_omega(0.346),
        "kel": _cv_to_omega(1.20),
        "Vcn": _cv_to_omega(0.316),
        "CLn": _cv_to_omega(0.254),
    },
    omega_source="Table 3 CV % converted to sqrt(ln(1 + CV^2)) as in nlmixr2lib; kmet omitted.",
    notes=(
        "No weight covariate (none found). Noresketamine parameters are apparent (/F): the "
        "literal encoding over-predicts noresketamine AUC by 1.38-1.56x (nlmixr2lib errata)."
    ),
)

MODELS: dict[str, PKModel] = {
    m.model_id: m
    for m in (
        DOMINO_1984,
        KAMP_2020,
        HERD_2007,
        SHERWIN_2015,
        HORNIK_2018,
        CLEMENTS_1981,
        HIJAZI_2003,
        FLINT_2017,
        PEREZ_RUIXO_2021,
    )
}
DEFAULT_MODEL_ID = "domino1984"


def get_model(model_id: str) -> PKModel:
    """Look a model up by id.

    Raises
    ------
    PharmacologyInputError
        Field ``model`` when the id is unknown.
    """
    try:
        return MODELS[model_id]
    except KeyError:
        raise PharmacologyInputError(
            "model", f"unknown model {model_id!r}; known: {', '.join(sorted(MODELS))}"
        ) from None


def dose_factor(model: PKModel, product: str) -> tuple[float, str]:
    """Fraction of a product dose that a model's analyte receives, and the label.

    A racemic dose given to an S-ketamine model is halved and labelled
    "S-ketamine" (pharmacokinetics.md section 1.4); esketamine given to a
    racemic model is refused.

    Parameters
    ----------
    model : PKModel
    product : {"racemic", "esketamine"}
        What is in the bag or syringe.

    Returns
    -------
    factor : float
    label : str
    """
    if product not in ("racemic", "esketamine"):
        raise PharmacologyInputError("product", "must be 'racemic' or 'esketamine'")
    if model.analyte == "S-ketamine":
        if product == "racemic":
            return 0.5, "S-ketamine (half of the racemic dose)"
        return 1.0, "S-ketamine"
    if product == "esketamine":
        raise PharmacologyInputError("product", f"{model.model_id} is a racemic-ketamine model")
    return 1.0, "racemic ketamine"
