"""Model specification: parameters, weight scaling, validity, system construction.

The mammillary system builders are in :mod:`~ketaclinic.pharmacology.compartments`.

Units used throughout: volumes in L, clearances in L/min, micro-constants and
ke0 in 1/min, weights in kg, ages in years, amounts in mg, concentrations in
mg/L inside the engine (1 mg/L = 1 ug/mL = 1000 ng/mL).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .compartments import mammillary_from_clearances, mammillary_from_micro
from .compartments import micro_constants as micro_constants  # re-exported for callers
from .errors import OutsideValidityWarning, PharmacologyInputError
from .linear import solve
from .schedule import Schedule
from .systems import FloatArray, LinearSystem

REFERENCE_WEIGHT_KG = 70.0
#: Allometric exponent applied to clearances (West GB, Brown JH, Enquist BJ.
#: Science 1997;276:122-126; Anderson BJ, Holford NHG. Annu Rev Pharmacol Toxicol
#: 2008;48:303-332).  Used by Herd 2007, Sherwin 2015, Hornik 2018, Flint 2017.
ALLOMETRIC_CLEARANCE_EXPONENT = 0.75

SCALINGS = ("linear", "allometric", "none")


def cv_to_omega(cv: float) -> float:
    """SD of the log parameter (omega) for a coefficient of variation: ``sqrt(ln(1 + CV^2))``.

    Exact for a log-normally distributed parameter (``CV^2 = exp(omega^2) - 1``); the
    library converts published CV % with it (each model's ``omega_source`` says so).

    Parameters
    ----------
    cv : float
        Coefficient of variation as a fraction (0.402 for 40.2 %).
    """
    return math.sqrt(math.log1p(cv * cv))


@dataclass(frozen=True)
class Parameter:
    """One row of a model's parameter table.

    Parameters
    ----------
    name : str
        ``V1``, ``V2``, ``V3`` (L); ``CL1``, ``CL2``, ``CL3`` (L/min);
        ``k10``, ``k12``, ``k13``, ``k21``, ``k31`` (1/min); or a model-specific
        name for general systems.
    value_70kg : float
        Typical value for a 70 kg patient, in ``unit``.
    unit : str
        ``"L"``, ``"L/min"`` or ``"1/min"``.
    scaling : {"linear", "allometric", "none"}
        ``linear``: value x (W/70); ``allometric``: value x (W/70)**0.75;
        ``none``: weight independent.
    note : str
        Source and published form (for example ``"0.063 L/kg"``).
    """

    name: str
    value_70kg: float
    unit: str
    scaling: str
    note: str = ""


@dataclass(frozen=True)
class Validity:
    """Population a model was fitted in, used to warn when a patient lies outside.

    Ranges are inclusive; ``None`` means not checked.  ``note`` says where the
    range comes from (published table, or a design approximation when the
    paper's range was not retrieved).
    """

    weight_kg: tuple[float, float] | None
    age_years: tuple[float, float] | None
    note: str


@dataclass(frozen=True)
class Patient:
    """Patient covariates.

    Parameters
    ----------
    weight_kg : float
        Total body weight in kg (> 0).
    age_years : float or None
        Age in years, if known (used for validity checks and age covariates).
    """

    weight_kg: float
    age_years: float | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.weight_kg, int | float) and math.isfinite(self.weight_kg)) or (
            self.weight_kg <= 0
        ):
            raise PharmacologyInputError("weight_kg", "must be a positive number of kg")
        if self.age_years is not None and (not math.isfinite(self.age_years) or self.age_years < 0):
            raise PharmacologyInputError("age_years", "must be a non-negative number of years")


ParameterSet = dict[str, FloatArray]
SystemBuilder = Callable[[ParameterSet], LinearSystem]
CovariateHook = Callable[[ParameterSet, Patient], ParameterSet]


@dataclass(frozen=True)
class PKModel:
    """A pharmacokinetic model with its provenance.

    Parameters
    ----------
    model_id : str
        Identifier used by the API and the command line (``domino1984``).
    title : str
        Short human-readable name.
    citation : str
        Full reference of the publication and of the transcription used.
    population : str
        Population the model was fitted in.
    analyte : str
        ``"racemic ketamine"`` or ``"S-ketamine"``; a racemic dose given to an
        S-ketamine model is halved and labelled (pharmacokinetics.md section 1.4).
    parameters : tuple of Parameter
        Parameter table (typical values at 70 kg).
    structure : {"mammillary-clearance", "mammillary-micro", "general"}
        How ``parameters`` are turned into a linear system.
    validity : Validity
        Fitted population ranges.
    special_population : bool
        ``True`` for models marked "special populations / not for adult
        outpatients" in the reference.
    default_ke0_per_min : float or None
        Effect-site rate constant used when the caller gives none; ``None``
        means the model has no effect site by default.
    ke0_source : str
        Where ``default_ke0_per_min`` comes from.
    omega : mapping of str to float
        Published between-subject variability as the SD of the log parameter.
    omega_source : str
        Where ``omega`` comes from and how it was converted.
    builder : callable or None
        For ``structure == "general"``: parameter set -> LinearSystem.
    covariates : callable or None
        Hook adjusting the parameter set for covariates (for example age).
    """

    model_id: str
    title: str
    citation: str
    population: str
    analyte: str
    parameters: tuple[Parameter, ...]
    structure: str
    validity: Validity
    special_population: bool = False
    default_ke0_per_min: float | None = None
    ke0_source: str = ""
    omega: Mapping[str, float] = field(default_factory=dict)
    omega_source: str = ""
    builder: SystemBuilder | None = None
    covariates: CovariateHook | None = None
    notes: str = ""

    def check_validity(self, patient: Patient) -> list[str]:
        """Return (and emit as :class:`OutsideValidityWarning`) validity problems.

        Parameters
        ----------
        patient : Patient
            Covariates to check.

        Returns
        -------
        list of str
            One message per covariate outside the fitted range.
        """
        problems = []
        v = self.validity
        if v.weight_kg is not None and not v.weight_kg[0] <= patient.weight_kg <= v.weight_kg[1]:
            problems.append(
                f"{self.model_id}: weight {patient.weight_kg:g} kg outside the fitted range "
                f"{v.weight_kg[0]:g}-{v.weight_kg[1]:g} kg ({v.note})"
            )
        if (
            v.age_years is not None
            and patient.age_years is not None
            and not v.age_years[0] <= patient.age_years <= v.age_years[1]
        ):
            problems.append(
                f"{self.model_id}: age {patient.age_years:g} y outside the fitted range "
                f"{v.age_years[0]:g}-{v.age_years[1]:g} y ({v.note})"
            )
        for msg in problems:
            warnings.warn(msg, OutsideValidityWarning, stacklevel=3)
        return problems

    def typical_parameters(self, patient: Patient, warn: bool = True) -> dict[str, float]:
        """Typical parameter values for ``patient`` after weight scaling and covariates.

        Returns
        -------
        dict of str to float
            Values in the units of the parameter table.
        """
        if warn:
            self.check_validity(patient)
        ratio = patient.weight_kg / REFERENCE_WEIGHT_KG
        out: ParameterSet = {}
        for p in self.parameters:
            factor = {
                "linear": ratio,
                "allometric": ratio**ALLOMETRIC_CLEARANCE_EXPONENT,
                "none": 1.0,
            }[p.scaling]
            out[p.name] = np.array([p.value_70kg * factor])
        if self.covariates is not None:
            out = self.covariates(out, patient)
        return {k: float(v[0]) for k, v in out.items()}

    def system(
        self,
        params: Mapping[str, float | FloatArray],
        ke0_per_min: float | FloatArray | None = None,
    ) -> LinearSystem:
        """Build the linear system for one or many patients.

        Parameters
        ----------
        params : mapping of str to float or ndarray, shape (N,)
            Parameter values in table units (from :meth:`typical_parameters`,
            possibly multiplied by between-subject variability).
        ke0_per_min : float, ndarray or None
            Adds an effect site with this rate constant (1/min).

        Returns
        -------
        LinearSystem
        """
        arrs = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in params.items()}
        n = max(len(v) for v in arrs.values())
        arrs = {k: np.broadcast_to(v, (n,)) for k, v in arrs.items()}
        if self.structure == "mammillary-clearance":
            system = mammillary_from_clearances(arrs)
        elif self.structure == "mammillary-micro":
            system = mammillary_from_micro(arrs)
        elif self.builder is not None:
            system = self.builder(arrs)
        else:
            raise PharmacologyInputError("model", f"{self.model_id} has no system builder")
        if ke0_per_min is not None:
            system = system.with_effect_site(ke0_per_min)
        return system

    def patient_system(
        self,
        patient: Patient,
        ke0_per_min: float | None = None,
        effect_site: bool = True,
        warn: bool = True,
    ) -> LinearSystem:
        """Typical-patient system; adds the model's default effect site when it has one.

        Parameters
        ----------
        patient : Patient
        ke0_per_min : float or None
            Overrides :attr:`default_ke0_per_min` (1/min).
        effect_site : bool
            ``False`` builds the system without an effect site.
        warn : bool
            Emit :class:`OutsideValidityWarning` for covariates outside the range.
        """
        ke0 = ke0_per_min if ke0_per_min is not None else self.default_ke0_per_min
        return self.system(
            self.typical_parameters(patient, warn=warn), ke0 if effect_site else None
        )


def ke0_for_time_to_peak(model: PKModel, patient: Patient, time_to_peak_min: float = 1.0) -> float:
    """ke0 (1/min) giving a peak effect-site concentration ``time_to_peak_min`` after a bolus.

    Convention of opentiva (opentiva/opentiva ``opentiva/ketamine.py``: "from
    tpeak 1 min").  At 70 kg and 1 min this returns 0.65242/min for Domino 1984,
    2.79146/min for Kamp 2020 and 3.4034/min for Herd 2007 (root found to
    1e-12).  opentiva's 0.652 and 2.791 are the correct 3-decimal roundings of
    the first two; the reference's check (pharmacokinetics.md section 1.3)
    printed 0.653, 2.790 and 3.407, which are not, and the library defaults
    0.653 (Domino) and 2.790 (Kamp) keep the reference's values (see each
    model's ``ke0_source``).  This is an assumption, not an EEG-derived value.

    Parameters
    ----------
    model : PKModel
    patient : Patient
    time_to_peak_min : float
        Time from an instantaneous bolus to the effect-site peak, in min (> 0).
    """
    from scipy.optimize import brentq  # imported when needed: scipy.optimize loads slowly

    if not time_to_peak_min > 0:
        raise PharmacologyInputError("time_to_peak_min", "must be > 0 min")
    params = model.typical_parameters(patient, warn=False)
    base = model.system(params)
    sched = Schedule(np.array([0.0]), np.zeros(0), np.array([0.0]), np.array([1.0]))

    def slope(ke0: float) -> float:
        # dCe/dt at tpeak = ke0 (Cp - Ce); zero at the peak.
        sys_e = base.with_effect_site(ke0)
        r = solve(sys_e, sched, [time_to_peak_min], outputs=("plasma", "effect"))
        return float(r["plasma"][0, 0] - r["effect"][0, 0])

    # Larger ke0 -> earlier peak -> at fixed t, Cp - Ce more negative.
    return float(brentq(slope, 1e-4, 1e3, xtol=1e-12, rtol=1e-12))


def custom_model(
    model_id: str,
    parameters: Mapping[str, float],
    citation: str = "User-defined model",
    scaling: Mapping[str, str] | None = None,
    ke0_per_min: float | None = None,
    omega: Mapping[str, float] | None = None,
    analyte: str = "racemic ketamine",
) -> PKModel:
    """Define a model from its parameters.

    Parameters
    ----------
    model_id : str
        Identifier (must not collide with a library model when registered).
    parameters : mapping
        Either volumes and clearances (``V1`` L, ``CL1`` L/min, optional
        ``V2``/``CL2``, ``V3``/``CL3``) or ``V1`` with micro-constants (``k10``,
        ``k12``, ``k21``, ``k13``, ``k31``, 1/min), all for a 70 kg patient.
    citation : str
        Provenance shown with results.
    scaling : mapping of str to {"linear", "allometric", "none"}, optional
        Per-parameter weight scaling; default ``none`` (values used as given).
    ke0_per_min : float, optional
        Effect-site rate constant (1/min).
    omega : mapping of str to float, optional
        Between-subject variability, SD of the log parameter.
    analyte : str
        ``"racemic ketamine"`` or ``"S-ketamine"``.

    Returns
    -------
    PKModel
    """
    if not model_id or not model_id.replace("_", "").replace("-", "").isalnum():
        raise PharmacologyInputError("model_id", "must be a non-empty alphanumeric identifier")
    scaling = dict(scaling or {})
    micro = "k10" in parameters
    rows = []
    for name, value in parameters.items():
        sc = scaling.get(name, "none")
        if sc not in SCALINGS:
            raise PharmacologyInputError(f"scaling[{name}]", f"must be one of {SCALINGS}")
        unit = "L" if name.startswith("V") else ("1/min" if name.startswith("k") else "L/min")
        rows.append(Parameter(name, float(value), unit, sc, "user supplied"))
    model = PKModel(
        model_id=model_id,
        title=model_id,
        citation=citation,
        population="user supplied",
        analyte=analyte,
        parameters=tuple(rows),
        structure="mammillary-micro" if micro else "mammillary-clearance",
        validity=Validity(None, None, "user-defined model: no range"),
        default_ke0_per_min=ke0_per_min,
        ke0_source="user supplied" if ke0_per_min is not None else "",
        omega=dict(omega or {}),
        omega_source="user supplied" if omega else "",
    )
    model.system(model.typical_parameters(Patient(REFERENCE_WEIGHT_KG), warn=False))  # validates
    return model
