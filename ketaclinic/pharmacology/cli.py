"""``ketaclinic pk`` command line: models, simulate, tci, population.

Called as ``main(argv)`` with everything after ``pk``.  Imports no Django.
Bad arguments exit non-zero with one line ``ketaclinic pk: error: argument
--OPTION: reason`` naming the command-line option (never an engine field).

Pump limit: ``simulate``, ``tci`` and ``population`` take
``--concentration-mg-per-ml`` (default 10 mg/mL, the weakest ketamine HCl vial
strength, clinical.md section 1.8) and ``--pump-max-ml-per-h`` (default
1200 mL/h, the common pump limit, pharmacokinetics.md sections 0 and 2.4).
Their product / 60 is the largest rate in mg/min of product: TCI schedules are
capped at it (or at ``--max-rate-mg-per-min`` when smaller), and a plan whose
infusion rate exceeds it is refused.  A racemic dose run through an S-ketamine
model prints a ``note:`` line on stderr (stdout JSON unchanged).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .cli_args import (
    MAX_MINUTES,
    MAX_PATIENTS,
    MIN_PERIOD_S,
    PROG,
    ArgError,
    as_arg_error,
    build_parser,
    emit,
    fail,
)
from .errors import OutsideValidityWarning, PharmacologyInputError
from .library import MODELS, dose_factor, get_model
from .models import Patient, PKModel
from .plans import (
    Bolus,
    DosePlan,
    Segment,
    infusion_plan,
)
from .tci import DEFAULT_HORIZON_S, effect_tci, max_rate_from_pump, plasma_tci


class _Pump:
    """The pump rate limit of a command: mL/h and mg/mL give mg/min of product."""

    def __init__(self, args: argparse.Namespace) -> None:
        if not args.concentration_mg_per_ml > 0:
            fail("--concentration-mg-per-ml", "must be > 0 mg/mL")
        if not args.pump_max_ml_per_h > 0:
            fail("--pump-max-ml-per-h", "must be > 0 mL/h")
        self.conc = args.concentration_mg_per_ml
        self.ml_per_h = args.pump_max_ml_per_h
        self.mg_per_min = max_rate_from_pump(self.conc, self.ml_per_h)

    def describe(self) -> str:
        return (
            f"the pump maximum of {self.mg_per_min:g} mg/min "
            f"({self.ml_per_h:g} mL/h at {self.conc:g} mg/mL)"
        )

    def exceeded(self, rate_mg_per_min: float) -> bool:
        return rate_mg_per_min > self.mg_per_min * (1 + 1e-12)


def _plan(args: argparse.Namespace, pump: _Pump) -> DosePlan:
    dose_opts = args.dose_mg_per_kg is not None or args.over_min is not None
    alt = args.segments is not None or args.bolus_mg is not None
    if dose_opts and alt:
        fail("--segments/--bolus-mg", "not allowed with --dose-mg-per-kg/--over-min")
    if dose_opts:
        if args.dose_mg_per_kg is None:
            fail("--dose-mg-per-kg", "required with --over-min")
        if args.over_min is None:
            fail("--over-min", "required with --dose-mg-per-kg")
        if not args.dose_mg_per_kg >= 0:
            fail("--dose-mg-per-kg", "must be >= 0 mg/kg")
        if not 0 < args.over_min <= MAX_MINUTES:
            fail("--over-min", f"must be > 0 and <= {MAX_MINUTES:g} min")
        dose_mg = args.dose_mg_per_kg * args.weight_kg
        rate = dose_mg / args.over_min
        if pump.exceeded(rate):
            fail(
                "--dose-mg-per-kg",
                f"implied rate {rate:g} mg/min ({args.dose_mg_per_kg:g} mg/kg x "
                f"{args.weight_kg:g} kg over {args.over_min:g} min) exceeds {pump.describe()}",
            )
        try:
            return infusion_plan(dose_mg, args.over_min)
        except PharmacologyInputError as exc:
            raise as_arg_error(exc, {"dose_mg": "--dose-mg-per-kg"}) from None
    if not alt:
        fail("--dose-mg-per-kg", "a dose is required (or --segments / --bolus-mg)")
    segs = []
    t = 0.0
    for i, (rate, minutes) in enumerate(args.segments or []):
        if not (math.isfinite(rate) and rate >= 0):
            fail("--segments", f"rate of segment {i + 1} must be a finite number >= 0 mg/min")
        if not (math.isfinite(minutes) and minutes > 0):
            fail("--segments", f"minutes of segment {i + 1} must be a finite number > 0")
        if pump.exceeded(rate):
            fail("--segments", f"segment {i + 1} rate {rate:g} mg/min exceeds {pump.describe()}")
        segs.append(Segment(t, minutes, rate))
        t += minutes
    if t > MAX_MINUTES:
        fail("--segments", f"segments last {t:g} min in total; at most {MAX_MINUTES:g} min")
    boluses: tuple[Bolus, ...] = ()
    if args.bolus_mg is not None:
        if not args.bolus_mg >= 0:
            fail("--bolus-mg", "must be >= 0 mg")
        boluses = (Bolus(0.0, args.bolus_mg),)
    try:
        return DosePlan(tuple(segs), boluses)
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None


def _patient(args: argparse.Namespace) -> Patient:
    if not args.weight_kg > 0:
        fail("--weight-kg", "must be > 0 kg")
    if args.age_years is not None and not args.age_years >= 0:
        fail("--age-years", "must be >= 0 years")
    return Patient(args.weight_kg, args.age_years)


def _model(args: argparse.Namespace) -> PKModel:
    try:
        return get_model(args.model)
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None


def _analyte(
    model: PKModel, args: argparse.Namespace, notes: list[str], tci: bool = False
) -> float:
    """Dose factor of ``--product`` into ``model``; notes the racemic -> S-ketamine halving."""
    try:
        factor, _ = dose_factor(model, args.product)
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None
    if factor != 1.0:
        if tci:
            notes.append(
                f"S-ketamine model ({model.model_id}): the target is an S-ketamine "
                "concentration; the rates are racemic product, twice the S-ketamine rate"
            )
        else:
            notes.append(
                f"S-ketamine model ({model.model_id}): the racemic dose was halved; "
                "concentrations are S-ketamine"
            )
    return factor


def _times(args: argparse.Namespace, plan: DosePlan) -> list[float]:
    if args.at is not None:
        return list(args.at)
    end = plan.end_min + 60.0
    return [float(v) for v in np.arange(0.0, end + 1e-9, 1.0)]


def _segments_min(plan: DosePlan) -> list[tuple[float, float]]:
    return [(s.start_min, s.end_min) for s in plan.segments]


def _title(model: PKModel, label: str, weight_kg: float) -> str:
    return f"{model.title} - {label} - {weight_kg:g} kg"


def _cmd_models(args: argparse.Namespace) -> dict[str, object]:
    rows = []
    for m in MODELS.values():
        v = m.validity
        rows.append(
            {
                "id": m.model_id,
                "title": m.title,
                "citation": m.citation,
                "analyte": m.analyte,
                "population": m.population,
                "special_population": m.special_population,
                "validity": {
                    "weight_kg": list(v.weight_kg) if v.weight_kg else None,
                    "age_years": list(v.age_years) if v.age_years else None,
                    "note": v.note,
                },
                "default_ke0_per_min": m.default_ke0_per_min,
                "has_published_variability": bool(m.omega),
            }
        )
    return {"models": rows}


def _cmd_simulate(args: argparse.Namespace, notes: list[str]) -> dict[str, object]:
    from .plots import concentration_svg
    from .simulate import simulate

    model = _model(args)
    patient = _patient(args)
    pump = _Pump(args)
    plan = _plan(args, pump)
    _analyte(model, args, notes)
    if args.ke0_per_min is not None and not args.ke0_per_min > 0:
        fail("--ke0-per-min", "must be > 0 1/min")
    times = _times(args, plan)
    try:
        res = simulate(
            model, patient, plan, times, ke0_per_min=args.ke0_per_min, product=args.product
        )
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None
    if args.svg:
        grid = np.linspace(0.0, max(max(times), plan.end_min, 1.0), 601)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutsideValidityWarning)
            g = simulate(
                model, patient, plan, grid, ke0_per_min=args.ke0_per_min, product=args.product
            )
        concentration_svg(
            grid,
            g.plasma_ng_per_ml,
            effect_ng_per_ml=g.effect_ng_per_ml,
            infusion_segments_min=_segments_min(plan),
            title=_title(model, res.analyte_label, patient.weight_kg),
            path=args.svg,
        )
    return {
        "model": model.model_id,
        "times_min": [float(t) for t in res.times_min],
        "plasma_ng_per_ml": [float(v) for v in res.plasma_ng_per_ml],
        "effect_ng_per_ml": None
        if res.effect_ng_per_ml is None
        else [float(v) for v in res.effect_ng_per_ml],
        "delivered_mg": [float(v) for v in res.delivered_mg],
    }


def _cmd_tci(args: argparse.Namespace, notes: list[str]) -> dict[str, object]:
    from .linear import solve
    from .plots import concentration_svg

    model = _model(args)
    patient = _patient(args)
    pump = _Pump(args)
    if not 0 < args.minutes <= MAX_MINUTES:
        fail("--minutes", f"must be > 0 and <= {MAX_MINUTES:g} min")
    if not args.period_s >= MIN_PERIOD_S:
        fail("--period-s", f"must be >= {MIN_PERIOD_S:g} s")
    if args.effect_site and not args.period_s < DEFAULT_HORIZON_S:
        fail(
            "--period-s",
            f"must be shorter than the {DEFAULT_HORIZON_S:g} s look-ahead of effect-site targeting",
        )
    if not args.target_ng_per_ml >= 0:
        fail("--target-ng-per-ml", "must be >= 0 ng/mL")
    if args.max_rate_mg_per_min is not None and not args.max_rate_mg_per_min > 0:
        fail("--max-rate-mg-per-min", "must be > 0 mg/min")
    if args.ke0_per_min is not None and not args.ke0_per_min > 0:
        fail("--ke0-per-min", "must be > 0 1/min")
    factor = _analyte(model, args, notes, tci=True)
    ke0 = args.ke0_per_min if args.ke0_per_min is not None else model.default_ke0_per_min
    if args.effect_site and ke0 is None:
        fail("--ke0-per-min", f"required, {model.model_id} has no effect site")
    # Product cap: the pump limit, or --max-rate-mg-per-min when smaller.  The engine
    # plans in mg of the model's analyte; the pump delivers product.
    cap_product = pump.mg_per_min
    if args.max_rate_mg_per_min is not None:
        cap_product = min(cap_product, args.max_rate_mg_per_min)
    try:
        system = model.system(model.typical_parameters(patient), ke0)
        plan_fn = effect_tci if args.effect_site else plasma_tci
        res = plan_fn(
            system,
            args.target_ng_per_ml,
            args.minutes * 60.0,
            args.period_s,
            cap_product * factor,
        )
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None
    rates = res.rate_mg_per_min[0] / factor
    if args.svg:
        grid = np.linspace(0.0, args.minutes, 601)
        outs = ("plasma", "effect") if "effect" in system.outputs else ("plasma",)
        y = solve(system, res.schedule(), grid, outputs=outs)
        _, label = dose_factor(model, args.product)
        concentration_svg(
            grid,
            y["plasma"][0] * 1000.0,
            effect_ng_per_ml=y["effect"][0] * 1000.0 if "effect" in y else None,
            infusion_segments_min=[(0.0, args.minutes)],
            target_ng_per_ml=args.target_ng_per_ml,
            title=_title(model, label, patient.weight_kg)
            + (" - effect-site TCI" if args.effect_site else " - plasma TCI"),
            path=args.svg,
        )
    return {
        "periods": [
            {"start_s": float(s), "rate_mg_per_min": float(r)}
            for s, r in zip(res.start_s, rates, strict=True)
        ],
        "total_mg": float(np.sum(rates * res.duration_s / 60.0)),
    }


def _cmd_population(args: argparse.Namespace, notes: list[str]) -> dict[str, object]:
    from .plots import concentration_svg
    from .population import simulate_population

    model = _model(args)
    if not model.omega:
        with_bsv = ", ".join(sorted(m.model_id for m in MODELS.values() if m.omega))
        fail(
            "--model",
            f"{model.model_id} has no published between-subject variability; use a model that "
            f"has one ({with_bsv}) or give omega values through the Python API "
            "(simulate_population(..., omega={...}))",
        )
    patient = _patient(args)
    pump = _Pump(args)
    plan = _plan(args, pump)
    if not 1 <= args.n <= MAX_PATIENTS:
        fail("--n", f"must be between 1 and {MAX_PATIENTS}")
    if args.seed is not None and args.seed < 0:
        fail("--seed", "must be >= 0")
    if any(p > 100 for p in args.percentiles):
        fail("--percentiles", "must lie in 0-100")
    keys = [f"{p:g}" for p in args.percentiles]
    dupes = sorted({k for k in keys if keys.count(k) > 1}, key=float)
    if dupes:
        fail("--percentiles", f"duplicate value(s) {', '.join(dupes)}")
    _analyte(model, args, notes)
    times = _times(args, plan)
    try:
        res = simulate_population(
            model,
            patient,
            plan,
            args.n,
            args.seed,
            times_min=times,
            percentiles=args.percentiles,
            product=args.product,
        )
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None
    if args.svg:
        end = max(max(times), plan.end_min, 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutsideValidityWarning)
            g = simulate_population(
                model,
                patient,
                plan,
                args.n,
                args.seed,
                dt_min=end / 600,
                t_end_min=end,
                product=args.product,
            )
        keys = list(g.percentiles)
        concentration_svg(
            g.times_min,
            g.typical_ng_per_ml,
            band_ng_per_ml=(g.percentiles[keys[0]], g.percentiles[keys[-1]]),
            band_label=f"{keys[0]}th-{keys[-1]}th percentile (n = {args.n})",
            infusion_segments_min=_segments_min(plan),
            title=_title(model, res.analyte_label, patient.weight_kg),
            path=args.svg,
        )
    return {
        "times_min": [float(t) for t in res.times_min],
        "percentiles": {k: [float(v) for v in vals] for k, vals in res.percentiles.items()},
    }


def _print_human(command: str, data: dict[str, object]) -> None:
    if command == "models":
        for row in data["models"]:  # type: ignore[attr-defined]
            emit(f"{row['id']:16s} {row['title']}")
        return
    emit(json.dumps(data, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ketaclinic pk`` with ``argv`` (everything after ``pk``).

    Returns
    -------
    int
        0 on success, 2 for bad arguments (one line on stderr naming the argument).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except ArgError as exc:
        emit(f"{PROG}: error: {exc}", err=True)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    handlers: dict[str, Callable[[argparse.Namespace, list[str]], dict[str, object]]] = {
        "models": lambda a, _notes: _cmd_models(a),
        "simulate": _cmd_simulate,
        "tci": _cmd_tci,
        "population": _cmd_population,
    }
    notes: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OutsideValidityWarning)
            data = handlers[args.command](args, notes)
        for w in caught:
            if issubclass(w.category, OutsideValidityWarning):
                emit(f"{PROG}: warning: {w.message}", err=True)
    except ArgError as exc:
        emit(f"{PROG}: error: {exc}", err=True)
        return 2
    except PharmacologyInputError as exc:
        emit(f"{PROG}: error: {as_arg_error(exc)}", err=True)
        return 2
    for note in notes:
        emit(f"{PROG}: note: {note}", err=True)
    if args.json:
        emit(json.dumps(data))
    else:
        _print_human(args.command, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
