"""Library of published ketamine pharmacokinetic models.

Values, status tags and transcriptions are those of
``shared/reference/pharmacokinetics.md`` section 1 (tables 1.1-1.3); every
entry carries its full citation, parameter table (typical values at 70 kg, in
L, L/min or 1/min), weight scaling, fitted population and validity range.

The general (non-mammillary) Perez-Ruixo 2021 esketamine model is in
:mod:`~ketaclinic.pharmacology.perez_ruixo`.

Left out: Fanta 2015 and Henthorn 2018 (only clearances in the abstracts; the
full parameter tables were not retrieved), Kamp 2020 BJA metabolite model
(tables not retrieved).
"""

from __future__ import annotations

import math

from .errors import PharmacologyInputError
from .models import Parameter, PKModel, Validity, cv_to_omega
from .perez_ruixo import PEREZ_RUIXO_2021

ADULT = Validity(
    None, (18.0, 120.0), "adult-only model; fitted ranges not retrieved, design assumption"
)


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
        "V1": cv_to_omega(0.64),
        "V2": cv_to_omega(0.517),
        "CL1": cv_to_omega(0.381),
        "CL2": cv_to_omega(0.19),
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
    omega={"CL1": cv_to_omega(0.402)},
    omega_source="CL 40.2 % (CV) converted to sqrt(ln(1 + CV^2)).",
    notes="S-norketamine part (time-varying CL/Fm) not encoded.",
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
