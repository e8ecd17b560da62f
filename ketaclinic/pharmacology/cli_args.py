"""Argument parsing and error reporting for ``ketaclinic pk`` (see :mod:`.cli`).

Every bad argument becomes one line ``argument --OPTION: reason`` naming the command-line
option, never an engine field.  Imports no Django.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import NoReturn

import numpy as np

from .errors import PharmacologyInputError
from .pump import DEFAULT_CONCENTRATION_MG_PER_ML, DEFAULT_PUMP_MAX_ML_PER_H
from .tci_schedule import DEFAULT_HORIZON_S, DEFAULT_PERIOD_S

PROG = "ketaclinic pk"

#: Largest number of virtual patients the command line accepts (memory and time bound).
MAX_PATIENTS = 100_000
#: Longest schedule or plan the command line accepts, min (one day).
MAX_MINUTES = 24 * 60.0
#: Shortest TCI update period the command line accepts, s.  PyTCI takes whole
#: seconds and R tci / PAS / opentiva use 10 s (pharmacokinetics.md 2.4); the
#: bound keeps a 24 h schedule to at most 86,400 periods.
MIN_PERIOD_S = 1.0


def emit(text: str, err: bool = False) -> None:
    """Write one line to stdout or stderr (the command's output channel)."""
    (sys.stderr if err else sys.stdout).write(text + "\n")


class ArgError(Exception):
    pass


def fail(option: str, reason: str) -> NoReturn:
    """Abort with ``argument OPTION: REASON`` (printed as one line by :func:`main`)."""
    raise ArgError(f"argument {option}: {reason}")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ArgError(message.splitlines()[0])


def _finite(text: str) -> float:
    """argparse type: a finite number (rejects inf and nan up front)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


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
    p.add_argument("--weight-kg", type=_finite, required=True, help="total body weight, kg")
    p.add_argument(
        "--age-years", type=_finite, default=None, help="age, years (validity checks, covariates)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--svg", metavar="FILE", default=None, help="write the plot as SVG")
    p.add_argument(
        "--product",
        choices=("racemic", "esketamine"),
        default="racemic",
        help="container product; racemic into an S-ketamine model is halved",
    )
    p.add_argument(
        "--concentration-mg-per-ml",
        type=_finite,
        default=DEFAULT_CONCENTRATION_MG_PER_ML,
        help="product concentration in the pump, mg/mL, for the pump rate limit (default "
        f"{DEFAULT_CONCENTRATION_MG_PER_ML:g}: the weakest ketamine HCl vial strength, "
        "clinical.md 1.8; label infusions of 1-2 mg/mL give lower limits)",
    )
    p.add_argument(
        "--pump-max-ml-per-h",
        type=_finite,
        default=DEFAULT_PUMP_MAX_ML_PER_H,
        help=f"pump maximum rate, mL/h (default {DEFAULT_PUMP_MAX_ML_PER_H:g}: the common pump "
        "limit of R tci and opentiva, pharmacokinetics.md 0 and 2.4); the rate limit in "
        "mg/min is this x --concentration-mg-per-ml / 60 (200 mg/min by default)",
    )


def _add_dose(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dose-mg-per-kg", type=_finite, default=None, help="dose, mg/kg")
    p.add_argument("--over-min", type=_finite, default=None, help="infusion duration, min")
    p.add_argument(
        "--segments",
        type=_segments,
        default=None,
        help="RATE_MG_PER_MIN:MINUTES,... back to back from t = 0; each rate must not exceed "
        "the pump limit",
    )
    p.add_argument("--bolus-mg", type=_finite, default=None, help="bolus at t = 0, mg")
    p.add_argument("--at", type=_floats, default=None, help="output times, min (comma-separated)")


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Ketamine pharmacokinetics (pure engine, no Django).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    m = sub.add_parser("models", help="list models")
    m.add_argument("--json", action="store_true")
    s = sub.add_parser("simulate", help="predicted concentrations for a dose plan")
    _add_common(s)
    _add_dose(s)
    s.add_argument(
        "--ke0-per-min", type=_finite, default=None, help="effect-site rate constant, 1/min"
    )
    t = sub.add_parser("tci", help="target-controlled infusion schedule")
    _add_common(t)
    t.add_argument(
        "--target-ng-per-ml",
        type=_finite,
        required=True,
        help="target concentration, ng/mL (plasma, or effect site with --effect-site)",
    )
    t.add_argument(
        "--minutes", type=_finite, required=True, help=f"schedule length, min (<= {MAX_MINUTES:g})"
    )
    t.add_argument(
        "--period-s",
        type=_finite,
        default=DEFAULT_PERIOD_S,
        help=f"update period, s (default {DEFAULT_PERIOD_S:g}; >= {MIN_PERIOD_S:g}; with "
        f"--effect-site < {DEFAULT_HORIZON_S:g}, the peak look-ahead)",
    )
    t.add_argument("--effect-site", action="store_true", help="target the effect site")
    t.add_argument(
        "--ke0-per-min",
        type=_finite,
        default=None,
        help="effect-site rate constant, 1/min (default: the model's own, see 'pk models')",
    )
    t.add_argument(
        "--max-rate-mg-per-min",
        type=_finite,
        default=None,
        help="rate cap, mg/min of product. The cap applied is always the pump limit "
        "(--pump-max-ml-per-h x --concentration-mg-per-ml / 60; 1200 mL/h x 10 mg/mL = "
        "200 mg/min by default), or this value when it is smaller",
    )
    pop = sub.add_parser("population", help="percentile bands over virtual patients")
    _add_common(pop)
    _add_dose(pop)
    pop.add_argument(
        "--n", type=int, default=1000, help=f"number of virtual patients (1-{MAX_PATIENTS})"
    )
    pop.add_argument("--seed", type=int, default=None, help="random seed (>= 0)")
    pop.add_argument(
        "--percentiles",
        type=_floats,
        default=[5.0, 50.0, 95.0],
        help="distinct percentiles in 0-100 (default 5,50,95)",
    )
    return parser


#: Engine field -> command-line option, for errors the engine raises.  Commands
#: map fields whose option depends on context themselves (see ``_engine``).
OPTIONS = {
    "weight_kg": "--weight-kg",
    "age_years": "--age-years",
    "model": "--model",
    "over_min": "--over-min",
    "dose_mg_per_kg": "--dose-mg-per-kg",
    "segments": "--segments",
    "boluses": "--bolus-mg",
    "times_min": "--at",
    "ke0_per_min": "--ke0-per-min",
    "max_rate_mg_per_min": "--max-rate-mg-per-min",
    "period_s": "--period-s",
    "duration_s": "--minutes",
    "horizon_s": "--period-s",
    "target_ng_per_ml": "--target-ng-per-ml",
    "n": "--n",
    "percentiles": "--percentiles",
    "product": "--product",
    "concentration_mg_per_ml": "--concentration-mg-per-ml",
    "pump_max_ml_per_h": "--pump-max-ml-per-h",
}


def option_for(field: str, context: dict[str, str] | None = None) -> str | None:
    """Option for an engine field (``segments[2].rate_mg_per_min`` -> ``--segments``)."""
    base = field.split("[")[0].split(".")[0]
    if context and base in context:
        return context[base]
    return OPTIONS.get(base)


def as_arg_error(exc: PharmacologyInputError, context: dict[str, str] | None = None) -> ArgError:
    """One clean line ``argument --X: reason`` for an engine error.

    A field with no option of its own (a model parameter such as ``Qh`` pushed
    out of range by the covariates) is reported against ``--model`` with the
    field kept in the reason.
    """
    option = option_for(exc.field, context)
    if option is None:
        return ArgError(f"argument --model: {exc.field}: {exc.reason}")
    return ArgError(f"argument {option}: {exc.reason}")
