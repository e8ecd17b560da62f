"""TCI algorithms: invariants and cross-checks against PyTCI 1.2.0 in its exact mode.

Known PyTCI differences (pharmacokinetics.md 3.3), not copied here: its default
integrator is 1-s Euler (we compare with ``set_integrator('exact')``); its Marsh
k31 is 0.0031 (published 0.0033) and its Schnider uses the rounded published
micro-constant formulas; its effect-site planner pulses near target and has no
rate cap.  Because the cross-check feeds PyTCI's own constants to our engine,
the parameter differences do not enter; pulsing is avoided by comparing only the
periods before it begins.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from PyTCI.models.base import Three
from PyTCI.models.propofol import Marsh, Schnider
from scipy.optimize import minimize_scalar

from ketaclinic.pharmacology import effect_planner
from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.library import get_model
from ketaclinic.pharmacology.linear import LinearSystem, Modal, modal_decomposition, solve
from ketaclinic.pharmacology.models import Patient, mammillary_from_micro
from ketaclinic.pharmacology.plans import Bolus, DosePlan, Segment
from ketaclinic.pharmacology.propagation import augmented_expm
from ketaclinic.pharmacology.tci import (
    ROUNDOFF_RELATIVE,
    effect_tci,
    is_roundoff,
    max_rate_from_pump,
    plasma_tci,
)


class Custom3(Three):
    """A custom three-compartment model (Domino 1984 ketamine set at 70 kg) in PyTCI."""

    def __init__(self) -> None:
        self.v1 = 4.41
        self.k10, self.k12, self.k13, self.k21, self.k31 = 0.438, 0.592, 0.590, 0.247, 0.0146
        self.keo = 0.653
        self.setup()


def _pytci_models() -> dict[str, tuple[Three, float]]:
    """name -> (PyTCI model in exact mode, target in dose units/L)."""
    out = {
        "custom": (Custom3(), 0.15),
        "schnider": (Schnider(40, 70, 170, "m"), 4.0),
        "marsh": (Marsh(70), 4.0),
    }
    for m, _ in out.values():
        m.set_integrator("exact")
    return out


def _ours(m: Three) -> LinearSystem:
    """Our system with exactly PyTCI's constants (its rates are per s; ours per min)."""
    micro = {k: np.array([getattr(m, k) * 60.0]) for k in ("k10", "k12", "k13", "k21", "k31")}
    micro["V1"] = np.array([m.v1])
    return mammillary_from_micro(micro).with_effect_site(m.keo * 60.0)


@pytest.mark.parametrize("name", ["custom", "schnider", "marsh"])
def test_simulation_matches_pytci_exact(name: str) -> None:
    m, _ = _pytci_models()[name]
    # 0.1 mg/s for 300 s, wait 300 s, 20 mg bolus, wait 900 s
    rec = []
    for _ in range(30):
        m.giveoverseconds(0.1, 10)
        rec.append((m.x1, m.xeo))
    m.wait_time(300)
    rec.append((m.x1, m.xeo))
    m.give_drug(20.0)
    m.wait_time(900)
    rec.append((m.x1, m.xeo))
    plan = DosePlan((Segment(0.0, 5.0, 6.0),), (Bolus(10.0, 20.0),))
    times = np.concatenate([np.arange(1, 31) * 10 / 60, [10.0 - 1e-12, 25.0]])
    res = solve(_ours(m), plan.schedule(), times, ("plasma", "effect"))
    theirs = np.array(rec)
    np.testing.assert_allclose(res["plasma"][0], theirs[:, 0], rtol=1e-4)
    np.testing.assert_allclose(res["effect"][0], theirs[:, 1], rtol=1e-4)


@pytest.mark.parametrize("name", ["custom", "schnider", "marsh"])
def test_plasma_tci_matches_pytci_exact(name: str) -> None:
    m, target = _pytci_models()[name]
    theirs = np.array(m.plasma_infusion(target, 900, 10)) * 60.0  # mg/min
    ours = plasma_tci(_ours(m), target * 1000.0, 900.0, 10.0).rate_mg_per_min[0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-9 * theirs.max())


@pytest.mark.parametrize("name", ["custom", "schnider", "marsh"])
def test_effect_tci_matches_pytci_exact_before_pulsing(name: str) -> None:
    m, target = _pytci_models()[name]
    theirs = np.array(m.effect_target(target, 600, 10)) * 60.0
    ours = effect_tci(_ours(m), target * 1000.0, 600.0, 10.0, plasma_switch=False).rate_mg_per_min[
        0
    ]
    # pulsing begins at the first period whose rate resumes after a zero-rate period
    zero_then_pos = np.flatnonzero((theirs[:-1] <= 0) & (theirs[1:] > 0))
    k = int(zero_then_pos[0]) + 1 if len(zero_then_pos) else len(theirs)
    assert k >= 2
    np.testing.assert_allclose(ours[:k], theirs[:k], rtol=1e-4, atol=1e-6 * theirs[0])


def _domino(ke0: float | None = 0.653) -> LinearSystem:
    m = get_model("domino1984")
    return m.system(m.typical_parameters(Patient(70.0)), ke0)


def test_plasma_tci_holds_target_and_respects_cap_and_changing_targets() -> None:
    sys = _domino()
    steps = [(0.0, 150.0), (600.0, 300.0), (1200.0, 100.0)]
    res = plasma_tci(sys, steps, 1800.0, 10.0, max_rate_mg_per_min=2.0)
    ends = (res.start_s + res.duration_s) / 60.0
    cp = solve(sys, res.schedule(), ends)["plasma"][0] * 1000.0
    target = np.select([res.start_s < 600, res.start_s < 1200], [150.0, 300.0], 100.0)
    rates = res.rate_mg_per_min[0]
    assert rates.max() <= 2.0 + 1e-12 and rates.min() >= 0.0
    free = (rates > 0) & (rates < 2.0)
    np.testing.assert_allclose(cp[free], target[free], rtol=1e-9)
    assert np.all(cp[rates == 2.0] <= target[rates == 2.0] + 1e-9)  # capped: approaching from below
    assert np.all(cp[rates == 0.0] >= target[rates == 0.0] - 1e-9)  # waiting for a lower target
    assert rates[0] == 2.0  # the cap applies in the first period too
    assert res.total_mg[0] == pytest.approx(float(np.sum(rates * res.duration_s / 60)))
    assert max_rate_from_pump(1.0) == pytest.approx(20.0)  # 1200 mL/h at 1 mg/mL


def test_effect_tci_reaches_target_without_pulsing() -> None:
    sys = _domino()
    res = effect_tci(sys, 150.0, 2400.0, 10.0)
    rates = res.rate_mg_per_min[0]
    t = np.arange(0, 2401, 5) / 60.0
    y = solve(sys, res.schedule(), t, ("plasma", "effect"))
    ce = y["effect"][0] * 1000
    assert ce.max() == pytest.approx(150.0, rel=0.01)  # peak effect equals target (Shafer-Gregg)
    assert np.all(np.abs(ce[t >= 2.0] - 150.0) <= 1.5)  # within 1 % after 2 min
    switched = res.mode.index("plasma")
    after = rates[switched:]
    assert np.all(after > 0)  # no zero-rate periods: no pulsing
    assert np.max(np.abs(np.diff(after)) / after[1:]) < 0.5
    pure = effect_tci(sys, 150.0, 2400.0, 10.0, plasma_switch=False).rate_mg_per_min[0]
    assert (
        np.sum(pure[switched:] == 0) > 10
    )  # the pure algorithm pulses (documented peer behaviour)


def test_tci_errors_name_the_field() -> None:
    with pytest.raises(PharmacologyInputError, match="^period_s"):
        plasma_tci(_domino(), 150.0, 600.0, 0.0)
    with pytest.raises(PharmacologyInputError, match="^ke0_per_min"):
        effect_tci(_domino(None), 150.0, 600.0)
    with pytest.raises(PharmacologyInputError, match="^max_rate_mg_per_min"):
        plasma_tci(_domino(), 150.0, 600.0, max_rate_mg_per_min=-1.0)
    with pytest.raises(PharmacologyInputError, match="^target_ng_per_ml"):
        plasma_tci(_domino(), [(10.0, 150.0)], 600.0)


def _old_rate(
    system: LinearSystem, x: np.ndarray, c_t: float, period_min: float
) -> tuple[float, float]:
    """The previous implementation's decision, rebuilt independently for one state ``x``.

    ``b`` and ``h`` on the 1-s grid over 3600 s from a numpy eigendecomposition
    written here, then every grid local minimum within 1 % of the grid minimum
    refined by scipy ``minimize_scalar`` (bounded, xatol 1e-9 min) on ``b`` and
    ``h`` evaluated by ``scipy.linalg.expm`` - the old algorithm.  Returns the
    rate (mg/min, not rounded) and ``C - b`` (mg/L) where it is attained.
    """
    a, b_in = system.a_per_min[0], system.input_per_mg[0]
    ce = system.outputs["effect"][0]
    n = len(x)
    lam, vec = np.linalg.eig(a)
    lam, vec = lam.real, vec.real
    inv = np.linalg.inv(vec)
    w = ce @ vec
    grid = np.arange(1, 3601) / 60.0
    free = np.exp(np.outer(grid, lam)) @ (w * (inv @ x))
    inside = np.expm1(np.outer(np.minimum(grid, period_min), lam)) / lam
    decay = np.exp(np.outer(np.maximum(grid - period_min, 0.0), lam))
    unit = (inside * decay) @ (w * (inv @ b_in))
    cand = (c_t - free) / unit
    if np.any(cand <= 0):
        return 0.0, 0.0
    best = float(cand.min())
    need = best * float(unit[cand.argmin()])
    aug = np.zeros((n + 1, n + 1))
    aug[:n, :n], aug[:n, n] = a, b_in
    gam_p = scipy.linalg.expm(aug * period_min)[:n, n]

    def f(t: float) -> float:
        return float((c_t - b(t)) / h(t))

    def b(t: float) -> float:
        return float(ce @ scipy.linalg.expm(a * t) @ x)

    def h(t: float) -> float:
        if t <= period_min:
            return float(ce @ scipy.linalg.expm(aug * t)[:n, n])
        return float(ce @ scipy.linalg.expm(a * (t - period_min)) @ gam_p)

    inner = np.flatnonzero((cand[1:-1] <= cand[:-2]) & (cand[1:-1] <= cand[2:])) + 1
    if cand[0] <= cand[1]:
        inner = np.concatenate([[0], inner])
    step = grid[1] - grid[0]
    for i in inner:
        if cand[i] > best * 1.01:
            continue
        res = minimize_scalar(
            f,
            bounds=(max(grid[i] - step, 1e-9), grid[i] + step),
            method="bounded",
            options={"xatol": 1e-9},
        )
        if float(res.fun) < best:
            best, need = float(res.fun), c_t - b(float(res.x))
    return best, need


@pytest.mark.parametrize(
    ("name", "target"), [("domino", 150.0), ("marsh", 4000.0), ("domino_steps", 0.0)]
)
def test_fast_effect_path_agrees_with_the_old_algorithm_period_by_period(
    name: str, target: float
) -> None:
    """Each pure Shafer-Gregg rate of the fast path (modal K matrix, argmin, Newton on the
    analytic derivative) equals the old grid + minimize_scalar decision from the same state."""
    if name == "marsh":
        m, _ = _pytci_models()["marsh"]
        sys = _ours(m)
    else:
        sys = _domino()
    spec: float | list[tuple[float, float]] = (
        [(0.0, 150.0), (300.0, 300.0), (600.0, 100.0)] if name == "domino_steps" else target
    )
    res = effect_tci(sys, spec, 900.0, 10.0, plasma_switch=False)
    rates = res.rate_mg_per_min[0]
    targets = np.select([res.start_s < 300, res.start_s < 600], [150.0, 300.0], 100.0)
    if name != "domino_steps":
        targets[:] = target
    phi, gam = augmented_expm(sys, 10.0 / 60.0)
    x = np.zeros(sys.n_states)
    old = np.zeros_like(rates)
    for k in range(len(rates)):
        r, need = _old_rate(sys, x, targets[k] / 1000.0, 10.0 / 60.0)
        old[k] = 0.0 if need < ROUNDOFF_RELATIVE * targets[k] / 1000.0 else r
        x = phi[0] @ x + gam[0] * rates[k]
    assert rates[0] > 0 and np.sum(rates == 0) > 5  # covers loading, waiting and pulsing
    # atol: rates of 1e-10 of the loading rate are round-off of C - b near the target
    np.testing.assert_allclose(rates, old, rtol=1e-9, atol=1e-10 * rates[0])


def test_expm_fallback_of_the_effect_path_equals_the_modal_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the modal form refused (as for a defective system) the batched-expm planner gives
    the same schedule; a genuinely defective system (ke0 equal to a disposition rate
    constant) gives the first-period rate of a neighbouring non-defective one."""
    sys = _domino()
    modal_rates = effect_tci(sys, 150.0, 600.0, 10.0, plasma_switch=False).rate_mg_per_min[0]

    def refuse(system: LinearSystem) -> Modal:
        m = modal_decomposition(system)
        return Modal(m.eigenvalues_per_min, m.vectors, m.inverse, False)

    with monkeypatch.context() as mp:
        mp.setattr(effect_planner, "modal_decomposition", refuse)
        grid = np.arange(1, 3601) / 60.0
        assert not effect_planner.EffectPlanner(_domino(), 10.0 / 60.0, grid).modal  # patch holds
        expm_rates = effect_tci(_domino(), 150.0, 600.0, 10.0, plasma_switch=False).rate_mg_per_min[
            0
        ]
    np.testing.assert_allclose(expm_rates, modal_rates, rtol=1e-9, atol=1e-12 * modal_rates[0])
    lam = np.sort(np.linalg.eigvals(_domino(None).a_per_min[0]).real)
    ke0 = float(-lam[-2])  # a disposition rate constant, 0.0 < ke0 < fastest
    defective = _domino(ke0)
    assert not modal_decomposition(defective).usable
    near = effect_tci(_domino(ke0 * (1 + 1e-5)), 150.0, 60.0, 10.0).rate_mg_per_min[0]
    got = effect_tci(defective, 150.0, 60.0, 10.0).rate_mg_per_min[0]
    np.testing.assert_allclose(got, near, rtol=1e-4)


def test_max_rate_from_pump_validates_and_documents_uncapped_default() -> None:
    """1200 mL/h x 10 mg/mL / 60 = 200 mg/min; None is uncapped (a 10 s load far above)."""
    assert max_rate_from_pump(10.0) == pytest.approx(200.0)
    assert max_rate_from_pump(1.0, 500.0) == pytest.approx(500.0 / 60.0)
    with pytest.raises(PharmacologyInputError, match="^concentration_mg_per_ml"):
        max_rate_from_pump(float("inf"))
    with pytest.raises(PharmacologyInputError, match="^pump_max_ml_per_h"):
        max_rate_from_pump(10.0, 0.0)
    uncapped = plasma_tci(_domino(None), 2000.0, 60.0, 10.0).rate_mg_per_min[0]
    capped = plasma_tci(_domino(None), 2000.0, 60.0, 10.0, max_rate_from_pump(1.0))
    assert uncapped[0] > 20.0 and capped.rate_mg_per_min[0, 0] == pytest.approx(20.0)


@pytest.mark.parametrize("ke0", ["default", "near_defective", "defective"])
@pytest.mark.parametrize("scale", [2.0**-20, 2.0**13])
def test_schedules_scale_with_the_target_round_off_included(ke0: str, scale: float) -> None:
    """The schedule is linear in the target, so a target scaled by a power of two (exact in
    floating point) gives the rates scaled by it, with the same periods at exactly 0: the
    round-off rule and the Newton stop are relative to the target.  The former fixed
    1e-9 mg/min floor failed this: round-off rates of ~1e-9 mg/min at 150 ng/mL (near-defective
    system) passed it at one scale and not at another, and at 2**13 x 150 ng/mL round-off of
    the well-conditioned system (~1e-13 x 8192 mg/min) passed it."""
    lam = np.sort(np.linalg.eigvals(_domino(None).a_per_min[0]).real)
    rate = {"default": 0.653, "near_defective": -lam[-2] * (1 + 1e-5), "defective": -lam[-2]}
    sys = _domino(float(rate[ke0]))
    for plan in (
        lambda c: effect_tci(sys, c, 600.0, 10.0, plasma_switch=False),
        lambda c: effect_tci(sys, c, 600.0, 10.0),
        lambda c: plasma_tci(sys, [(0.0, c), (300.0, c / 3)], 600.0, 10.0),
    ):
        base = plan(150.0).rate_mg_per_min[0]
        scaled = plan(150.0 * scale).rate_mg_per_min[0] / scale
        assert base[0] > 0 and np.sum(base == 0) >= 5  # loading and waiting periods covered
        np.testing.assert_array_equal(scaled == 0, base == 0)
        np.testing.assert_allclose(scaled, base, rtol=1e-12)


def test_round_off_rule_is_relative_to_the_target() -> None:
    """``is_roundoff``: a contribution below 1e-7 of the target (mg/L) is round-off, whatever
    the target's size; reaching or exceeding the target (contribution <= 0) always is."""
    assert ROUNDOFF_RELATIVE == 1e-7
    for target in (1.5e-7, 0.15, 1.5e5):
        assert is_roundoff(0.99e-7 * target, target)
        assert not is_roundoff(1.01e-7 * target, target)
        assert is_roundoff(0.0, target) and is_roundoff(-target, target)
    assert not is_roundoff(0.0, 0.0) and is_roundoff(-1e-12, 0.0)
