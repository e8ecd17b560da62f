"""``ketaclinic pk`` command line: models, simulate, tci, population.

Called as ``main(argv)`` with everything after ``pk``.  Imports no Django.
Bad arguments exit non-zero with one line naming the argument.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

import numpy as np

from .errors import OutsideValidityWarning, PharmacologyInputError
from .library import MODELS, dose_factor, get_model
from .models import Patient, PKModel
from .plans import Bolus, DosePlan, Segment, infusion_plan
from .tci import DEFAULT_PERIOD_S, effect_tci, plasma_tci

PROG = "ketaclinic pk"


def _emit(text: str, err: bool = False) -> None:
    """Write one line to stdout or stderr (the command's output channel)."""
    (sys.stderr if err else sys.stdout).write(text + "\n")


class _ArgError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgError(message.splitlines()[0])


def _floats(text: str) -> list[float]:
    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {text!r}"
        ) from None
    if not vals or any(not np.isfinite(v) or v < 0 for v in vals):
        raise argparse.ArgumentTypeError("values must be finite numbers >= 0")
    return vals


def _segments(text: str) -> list[tuple[float, float]]:
    out = []
    for part in text.split(","):
        try:
            rate, minutes = part.split(":")
            out.append((float(rate), float(minutes)))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected RATE_MG_PER_MIN:MINUTES[,...], got {part!r}"
            ) from None
    return out


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="domino1984", help="model id (see 'pk models')")
    p.add_argument("--weight-kg", type=float, required=True, help="total body weight, kg")
    p.add_argument("--age-years", type=float, default=None, help="age, years (validity checks)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--svg", metavar="FILE", default=None, help="write the plot as SVG")
    p.add_argument(
        "--product",
        choices=("racemic", "esketamine"),
        default="racemic",
        help="container product; racemic into an S-ketamine model is halved",
    )


def _add_dose(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dose-mg-per-kg", type=float, default=None, help="dose, mg/kg")
    p.add_argument("--over-min", type=float, default=None, help="infusion duration, min")
    p.add_argument("--segments", type=_segments, default=None, help="RATE_MG_PER_MIN:MINUTES,...")
    p.add_argument("--bolus-mg", type=float, default=None, help="bolus at t = 0, mg")
    p.add_argument("--at", type=_floats, default=None, help="output times, min (comma-separated)")


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Ketamine pharmacokinetics (pure engine, no Django).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    m = sub.add_parser("models", help="list models")
    m.add_argument("--json", action="store_true")
    s = sub.add_parser("simulate", help="predicted concentrations for a dose plan")
    _add_common(s)
    _add_dose(s)
    s.add_argument(
        "--ke0-per-min", type=float, default=None, help="effect-site rate constant, 1/min"
    )
    t = sub.add_parser("tci", help="target-controlled infusion schedule")
    _add_common(t)
    t.add_argument("--target-ng-per-ml", type=float, required=True)
    t.add_argument("--minutes", type=float, required=True, help="schedule length, min")
    t.add_argument("--period-s", type=float, default=DEFAULT_PERIOD_S, help="update period, s")
    t.add_argument("--effect-site", action="store_true", help="target the effect site")
    t.add_argument("--ke0-per-min", type=float, default=None)
    t.add_argument("--max-rate-mg-per-min", type=float, default=None)
    pop = sub.add_parser("population", help="percentile bands over virtual patients")
    _add_common(pop)
    _add_dose(pop)
    pop.add_argument("--n", type=int, default=1000, help="number of virtual patients")
    pop.add_argument("--seed", type=int, default=None)
    pop.add_argument("--percentiles", type=_floats, default=[5.0, 50.0, 95.0])
    return parser


def _option_for(field: str) -> str:
    base = field.split("[")[0].split(".")[0]
    known = {
        "weight_kg": "--weight-kg",
        "age_years": "--age-years",
        "model": "--model",
        "dose_mg": "--bolus-mg",
        "over_min": "--over-min",
        "dose_mg_per_kg": "--dose-mg-per-kg",
        "segments": "--segments",
        "boluses": "--bolus-mg",
        "times_min": "--at",
        "ke0_per_min": "--ke0-per-min",
        "max_rate_mg_per_min": "--max-rate-mg-per-min",
        "period_s": "--period-s",
        "duration_s": "--minutes",
        "target_ng_per_ml": "--target-ng-per-ml",
        "n": "--n",
        "percentiles": "--percentiles",
        "product": "--product",
    }
    return known.get(base, field)


def _plan(args: argparse.Namespace) -> DosePlan:
    dose_opts = args.dose_mg_per_kg is not None or args.over_min is not None
    alt = args.segments is not None or args.bolus_mg is not None
    if dose_opts and alt:
        raise _ArgError(
            "argument --segments/--bolus-mg: not allowed with --dose-mg-per-kg/--over-min"
        )
    if dose_opts:
        if args.dose_mg_per_kg is None:
            raise _ArgError("argument --dose-mg-per-kg: required with --over-min")
        if args.over_min is None:
            raise _ArgError("argument --over-min: required with --dose-mg-per-kg")
        if not args.dose_mg_per_kg >= 0:
            raise _ArgError("argument --dose-mg-per-kg: must be >= 0")
        if not args.over_min > 0:
            raise _ArgError("argument --over-min: must be > 0")
        return infusion_plan(args.dose_mg_per_kg * args.weight_kg, args.over_min)
    if not alt:
        raise _ArgError(
            "argument --dose-mg-per-kg: a dose is required (or --segments / --bolus-mg)"
        )
    segs = []
    t = 0.0
    for i, (rate, minutes) in enumerate(args.segments or []):
        if not rate >= 0:
            raise _ArgError(f"argument --segments: rate of segment {i + 1} must be >= 0 mg/min")
        if not minutes > 0:
            raise _ArgError(f"argument --segments: minutes of segment {i + 1} must be > 0")
        segs.append(Segment(t, minutes, rate))
        t += minutes
    boluses: tuple[Bolus, ...] = ()
    if args.bolus_mg is not None:
        if not args.bolus_mg >= 0:
            raise _ArgError("argument --bolus-mg: must be >= 0 mg")
        boluses = (Bolus(0.0, args.bolus_mg),)
    return DosePlan(tuple(segs), boluses)


def _patient(args: argparse.Namespace) -> Patient:
    if not (args.weight_kg > 0 and np.isfinite(args.weight_kg)):
        raise _ArgError("argument --weight-kg: must be > 0 kg")
    return Patient(args.weight_kg, args.age_years)


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


def _cmd_simulate(args: argparse.Namespace) -> dict[str, object]:
    from .plots import concentration_svg
    from .simulate import simulate

    model = get_model(args.model)
    patient = _patient(args)
    plan = _plan(args)
    times = _times(args, plan)
    res = simulate(model, patient, plan, times, ke0_per_min=args.ke0_per_min, product=args.product)
    if args.svg:
        grid = np.linspace(0.0, max(max(times), plan.end_min, 1.0), 601)
        g = simulate(model, patient, plan, grid, ke0_per_min=args.ke0_per_min, product=args.product)
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


def _cmd_tci(args: argparse.Namespace) -> dict[str, object]:
    from .linear import solve
    from .plots import concentration_svg

    model = get_model(args.model)
    patient = _patient(args)
    factor, label = dose_factor(model, args.product)
    if not (args.minutes > 0):
        raise _ArgError("argument --minutes: must be > 0")
    if not (args.period_s > 0):
        raise _ArgError("argument --period-s: must be > 0")
    if not (args.target_ng_per_ml >= 0):
        raise _ArgError("argument --target-ng-per-ml: must be >= 0")
    ke0 = args.ke0_per_min if args.ke0_per_min is not None else model.default_ke0_per_min
    if args.effect_site and ke0 is None:
        raise _ArgError(f"argument --ke0-per-min: required, {model.model_id} has no effect site")
    system = model.system(model.typical_parameters(patient), ke0)
    # The engine plans in mg of the model's analyte; the pump delivers product.
    cap = None if args.max_rate_mg_per_min is None else args.max_rate_mg_per_min * factor
    if args.max_rate_mg_per_min is not None and not args.max_rate_mg_per_min > 0:
        raise _ArgError("argument --max-rate-mg-per-min: must be > 0")
    if args.effect_site:
        res = effect_tci(system, args.target_ng_per_ml, args.minutes * 60.0, args.period_s, cap)
    else:
        res = plasma_tci(system, args.target_ng_per_ml, args.minutes * 60.0, args.period_s, cap)
    rates = res.rate_mg_per_min[0] / factor
    if args.svg:
        grid = np.linspace(0.0, args.minutes, 601)
        outs = ("plasma", "effect") if "effect" in system.outputs else ("plasma",)
        y = solve(system, res.schedule(), grid, outputs=outs)
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


def _cmd_population(args: argparse.Namespace) -> dict[str, object]:
    from .plots import concentration_svg
    from .population import simulate_population

    model = get_model(args.model)
    patient = _patient(args)
    plan = _plan(args)
    if args.n < 1:
        raise _ArgError("argument --n: must be >= 1")
    if any(p > 100 for p in args.percentiles):
        raise _ArgError("argument --percentiles: must lie in 0-100")
    times = _times(args, plan)
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
            _emit(f"{row['id']:16s} {row['title']}")
        return
    _emit(json.dumps(data, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ketaclinic pk`` with ``argv`` (everything after ``pk``).

    Returns
    -------
    int
        0 on success, 2 for bad arguments (one line on stderr naming the argument).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _ArgError as exc:
        _emit(f"{PROG}: error: {exc}", err=True)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    handlers = {
        "models": _cmd_models,
        "simulate": _cmd_simulate,
        "tci": _cmd_tci,
        "population": _cmd_population,
    }
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", OutsideValidityWarning)
            data = handlers[args.command](args)
        for w in caught:
            if issubclass(w.category, OutsideValidityWarning):
                _emit(f"{PROG}: warning: {w.message}", err=True)
    except _ArgError as exc:
        _emit(f"{PROG}: error: {exc}", err=True)
        return 2
    except PharmacologyInputError as exc:
        _emit(f"{PROG}: error: argument {_option_for(exc.field)}: {exc}", err=True)
        return 2
    if args.json:
        _emit(json.dumps(data))
    else:
        _print_human(args.command, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
