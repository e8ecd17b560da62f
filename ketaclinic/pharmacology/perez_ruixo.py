"""Perez-Ruixo 2021 esketamine + noresketamine model (IV part): a general six-state system.

Not a mammillary model, so it brings its own system builder and age covariate;
listed in :data:`ketaclinic.pharmacology.library.MODELS` like every other
model.  Values as in ``shared/reference/pharmacokinetics.md`` section 1 and
nlmixr2lib ``PerezRuixo_2020_esketamine.R``.  Units: L, L/min, 1/min, mg.
"""

from __future__ import annotations

import numpy as np

from .errors import PharmacologyInputError
from .models import Parameter, ParameterSet, Patient, PKModel, Validity, cv_to_omega
from .systems import LinearSystem

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
        "Vc": cv_to_omega(0.275),
        "Vp1": cv_to_omega(0.493),
        "Qh": cv_to_omega(0.232),
        "Vh": cv_to_omega(0.346),
        "kel": cv_to_omega(1.20),
        "Vcn": cv_to_omega(0.316),
        "CLn": cv_to_omega(0.254),
    },
    omega_source="Table 3 CV % converted to sqrt(ln(1 + CV^2)) as in nlmixr2lib; kmet omitted.",
    notes=(
        "No weight covariate (none found). Noresketamine parameters are apparent (/F): the "
        "literal encoding over-predicts noresketamine AUC by 1.38-1.56x (nlmixr2lib errata)."
    ),
)
