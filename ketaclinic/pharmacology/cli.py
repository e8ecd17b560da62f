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
from .cli_inputs import (
    Pump,
    analyte_factor,
    model_from_args,
    output_times,
    patient_from_args,
    plan_from_args,
    plot_title,
    segments_min,
)
from .errors import OutsideValidityWarning, PharmacologyInputError
from .library import MODELS, dose_factor
from .tci import DEFAULT_HORIZON_S, effect_tci, plasma_tci


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

    model = model_from_args(args)
    patient = patient_from_args(args)
    pump = Pump(args)
    plan = plan_from_args(args, pump)
    analyte_factor(model, args, notes)
    if args.ke0_per_min is not None and not args.ke0_per_min > 0:
        fail("--ke0-per-min", "must be > 0 1/min")
    times = output_times(args, plan)
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
            infusion_segments_min=segments_min(plan),
            title=plot_title(model, res.analyte_label, patient.weight_kg),
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

    model = model_from_args(args)
    patient = patient_from_args(args)
    pump = Pump(args)
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
    factor = analyte_factor(model, args, notes, tci=True)
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
            title=plot_title(model, label, patient.weight_kg)
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

    model = model_from_args(args)
    if not model.omega:
        with_bsv = ", ".join(sorted(m.model_id for m in MODELS.values() if m.omega))
        fail(
            "--model",
            f"{model.model_id} has no published between-subject variability; use a model that "
            f"has one ({with_bsv}) or give omega values through the Python API "
            "(simulate_population(..., omega={...}))",
        )
    patient = patient_from_args(args)
    pump = Pump(args)
    plan = plan_from_args(args, pump)
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
    analyte_factor(model, args, notes)
    times = output_times(args, plan)
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
            infusion_segments_min=segments_min(plan),
            title=plot_title(model, res.analyte_label, patient.weight_kg),
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
