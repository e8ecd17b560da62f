"""Exact solver against an independent numerical integration, mass balance, defective path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.grid import solve_grid
from ketaclinic.pharmacology.library import MODELS
from ketaclinic.pharmacology.linear import (
    LinearSystem,
    Schedule,
    modal_decomposition,
    solve,
)
from ketaclinic.pharmacology.models import Patient
from ketaclinic.pharmacology.plans import Bolus, DosePlan, Segment

SETTINGS = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def ivp_reference(system: LinearSystem, schedule: Schedule, times: np.ndarray) -> np.ndarray:
    """States at ``times`` by scipy solve_ivp (DOP853, rtol 1e-12) integrated between events."""
    ev, rates, boluses = schedule.events(1)
    a, b = system.a_per_min[0], system.input_per_mg[0]
    edges = np.concatenate([ev, [max(times.max(), ev[-1]) + 1.0]])
    out = np.zeros((len(times), system.n_states))
    x = np.zeros(system.n_states)
    for e in range(len(ev)):
        x = x + b * boluses[0, e]
        t0, t1 = edges[e], edges[e + 1]
        r = rates[0, e]
        mask = (times >= t0) & (times < t1)
        pts = np.unique(np.concatenate([times[mask], [t1]]))
        sol = solve_ivp(
            lambda _t, y, r=r: a @ y + b * r,
            (t0, t1),
            x,
            method="DOP853",
            rtol=1e-12,
            atol=1e-15,
            t_eval=pts,
        )
        assert sol.success, sol.message
        if mask.any():
            out[mask] = sol.y.T[np.searchsorted(pts, times[mask])]
        x = sol.y[:, -1]
    return out


@st.composite
def plans(draw: st.DrawFn) -> DosePlan:
    n_seg = draw(st.integers(0, 3))
    t = 0.0
    segs = []
    for _ in range(n_seg):
        t += draw(st.floats(0.0, 20.0))
        dur = draw(st.floats(0.5, 60.0))
        segs.append(Segment(t, dur, draw(st.floats(0.0, 5.0))))
        t += dur
    n_b = draw(st.integers(0 if n_seg else 1, 2))
    bol = sorted(draw(st.floats(0.0, 90.0)) for _ in range(n_b))
    return DosePlan(tuple(segs), tuple(Bolus(b, draw(st.floats(1.0, 50.0))) for b in bol))


def _rel_err(ours: np.ndarray, ref: np.ndarray, scale: float | None = None) -> float:
    """Max absolute difference relative to the largest reference value (or ``scale``)."""
    return float(np.max(np.abs(ours - ref)) / max(np.max(np.abs(ref)), scale or 0.0, 1e-30))


@pytest.mark.parametrize("model_id", sorted(MODELS))
@SETTINGS
@given(plan=plans(), weight=st.floats(20.0, 150.0), ke0=st.floats(0.05, 5.0), data=st.data())
def test_exact_solution_matches_solve_ivp(
    model_id: str, plan: DosePlan, weight: float, ke0: float, data: st.DataObject
) -> None:
    model = MODELS[model_id]
    params = model.typical_parameters(Patient(weight), warn=False)
    system = model.system(params, ke0)
    times = np.array(
        data.draw(st.lists(st.floats(0.0, plan.end_min + 120.0), min_size=1, max_size=8))
    )
    schedule = plan.schedule()
    ref = ivp_reference(system, schedule, times)
    # scale: concentration of the whole plan in V1 (avoids 0/0 when all outputs are 0)
    scale = plan.total_mg / params.get("V1", params.get("Vc", 1.0))
    for method in ("auto", "expm"):
        res = solve(
            system,
            schedule,
            times,
            outputs=tuple(system.outputs),
            method=method,
            return_states=True,
        )
        assert _rel_err(res["states"][0], ref, plan.total_mg) < 1e-6, method
        for name, row in system.outputs.items():
            assert _rel_err(res[name][0], ref @ row[0], scale * 1e-3) < 1e-6, (method, name)


@pytest.mark.parametrize("model_id", sorted(MODELS))
@SETTINGS
@given(plan=plans(), weight=st.floats(20.0, 150.0))
def test_mass_balance(model_id: str, plan: DosePlan, weight: float) -> None:
    """Delivered mg = amount in all compartments + amount eliminated, at every output time."""
    model = MODELS[model_id]
    system = model.system(model.typical_parameters(Patient(weight), warn=False), 1.0)
    acc = system.with_elimination_accumulator()
    times = np.linspace(0.0, plan.end_min + 240.0, 57)
    delivered = plan.delivered_mg(times)
    mass = np.asarray(acc.mass_states)
    for method in ("auto", "expm"):
        states = solve(acc, plan.schedule(), times, method=method, return_states=True)["states"][0]
        total = states[:, mass].sum(axis=1)
        np.testing.assert_allclose(total, delivered, rtol=1e-9, atol=1e-9 * plan.total_mg)
        assert np.all(states[:, -1] >= -1e-9)  # eliminated amount never negative


@SETTINGS
@given(plan=plans(), dt=st.sampled_from([0.25, 1 / 60, 1.0, 10 / 60]), start=st.floats(0.0, 30.0))
def test_grid_path_equals_general_path(plan: DosePlan, dt: float, start: float) -> None:
    model = MODELS["domino1984"]
    system = model.system(model.typical_parameters(Patient(70.0)), 0.653)
    n = int((plan.end_min + 60.0) / dt)
    times = start + np.arange(n, dtype=np.float64) * dt
    grid = solve_grid(system, plan.schedule(), dt, n, ("plasma", "effect"), t_start_min=start)
    ref = solve(system, plan.schedule(), times, ("plasma", "effect"), method="expm")
    for k in ("plasma", "effect"):
        assert _rel_err(grid[k], ref[k]) < 1e-9
    # population (N > 1) chunked path in float32
    many = model.system(
        {k: np.full(3, v) for k, v in model.typical_parameters(Patient(70.0)).items()}
    )
    g32 = solve_grid(many, plan.schedule(), dt, n, ("plasma",), dtype=np.float32, t_start_min=start)
    assert g32["plasma"].dtype == np.float32
    assert _rel_err(g32["plasma"][1].astype(float), ref["plasma"][0]) < 1e-5


def test_defective_eigenstructure_uses_expm_and_stays_exact() -> None:
    """ke0 equal to a disposition eigenvalue makes the modal decomposition defective."""
    model = MODELS["domino1984"]
    params = model.typical_parameters(Patient(70.0))
    base = model.system(params)
    lam = np.sort(np.linalg.eigvals(base.a_per_min[0]).real)
    system = base.with_effect_site(-lam[1])
    assert not modal_decomposition(system).usable
    plan = DosePlan((Segment(0.0, 40.0, 0.875),), (Bolus(50.0, 10.0),))
    times = np.array([0.5, 5.0, 40.0, 50.0, 70.0, 200.0])
    ref = ivp_reference(system, plan.schedule(), times)
    res = solve(system, plan.schedule(), times, ("plasma", "effect"))
    assert _rel_err(res["effect"][0], ref[:, -1]) < 1e-7
    grid = solve_grid(system, plan.schedule(), 0.5, 400, ("effect",))
    ref_g = solve(
        system, plan.schedule(), np.arange(400, dtype=np.float64) * 0.5, ("effect",), method="expm"
    )
    assert _rel_err(grid["effect"], ref_g["effect"]) < 1e-12
    with pytest.raises(PharmacologyInputError, match="^method"):
        solve(system, plan.schedule(), times, method="modal")


def test_closed_form_one_compartment_infusion() -> None:
    """C(t) = R/CL (1 - exp(-k t)) during and C_end exp(-k (t - T)) after an infusion."""
    sys1 = MODELS["domino1984"].system({"V1": 10.0, "k10": 0.1})
    plan = DosePlan((Segment(0.0, 30.0, 2.0),))
    t = np.array([1.0, 10.0, 30.0, 45.0, 100.0])
    c_end = 2.0 / 1.0 * (1 - np.exp(-3.0))
    expected = np.where(
        t <= 30, 2.0 / 1.0 * (1 - np.exp(-0.1 * t)), c_end * np.exp(-0.1 * (t - 30))
    )
    np.testing.assert_allclose(solve(sys1, plan.schedule(), t)["plasma"][0], expected, rtol=1e-12)


def test_bolus_is_included_at_its_time_and_times_validated() -> None:
    sys1 = MODELS["domino1984"].system({"V1": 10.0, "k10": 0.1})
    plan = DosePlan((), (Bolus(5.0, 20.0),))
    y = solve(sys1, plan.schedule(), [4.999, 5.0])["plasma"][0]
    assert y[0] == 0.0 and y[1] == pytest.approx(2.0)
    with pytest.raises(PharmacologyInputError, match="^times_min"):
        solve(sys1, plan.schedule(), [-1.0])
