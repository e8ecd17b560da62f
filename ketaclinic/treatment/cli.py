"""``ketaclinic plan`` command line: the built-in protocols and a plan preview (no Django).

Contract::

    ketaclinic plan protocols --json
    ketaclinic plan preview --protocol ID --weight-kg W [--basis actual|ideal|adjusted
        --height-cm H --sex female|male] [--concentration-mg-per-ml C --volume-ml V]
        [--dose-mg-per-kg D] [--model ID] --json

``preview --json`` prints ``dose_mg``, ``weight_used_kg``, ``rate_ml_per_h`` (one per step),
``peak_plasma_ng_per_ml`` and ``peak_band_ng_per_ml`` (``{"5": x, "95": y}``) among the
summary of :func:`ketaclinic.treatment.preview.preview`, the function the plan screen calls.
Without ``--concentration-mg-per-ml``/``--volume-ml`` the protocol's first stocked product is
used. Bad arguments exit 2 with one line ``ketaclinic plan: error: ARGUMENT: reason``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from . import library
from .preview import PreviewInputError, preview

PROG = "ketaclinic plan"


class ArgError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ArgError(message.splitlines()[0])


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Treatment protocols and plan previews.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    p_list = sub.add_parser("protocols", help="the built-in protocol library")
    p_list.add_argument("--json", action="store_true")
    p = sub.add_parser("preview", help="dose, pump rates and PK preview for one patient")
    p.add_argument("--protocol", required=True, metavar="ID", help=", ".join(library.BUILTIN))
    p.add_argument("--weight-kg", required=True, type=float, metavar="W")
    p.add_argument("--basis", choices=("actual", "ideal", "adjusted"))
    p.add_argument("--height-cm", type=float, metavar="H")
    p.add_argument("--sex", choices=("female", "male"))
    p.add_argument("--concentration-mg-per-ml", type=float, metavar="C")
    p.add_argument("--volume-ml", type=float, metavar="V")
    p.add_argument("--dose-mg-per-kg", type=float, metavar="D", help="a step of the ladder")
    p.add_argument("--model", default="domino1984", metavar="ID")
    p.add_argument("--json", action="store_true")
    return parser


def _protocols() -> list[dict[str, Any]]:
    return [
        {
            "id": pid,
            "title": p["title"],
            "indication": p["indication"],
            "dose_mg_per_kg": library.standard_dose_mg_per_kg(p),
            "dose_steps_mg_per_kg": p["ladder_mg_per_kg"],
            "steps": p["steps"],
            "series": p["series"],
            "source": p["source"],
        }
        for pid, p in library.BUILTIN.items()
    ]


def _preview(args: argparse.Namespace) -> dict[str, Any]:
    if args.protocol not in library.BUILTIN:
        raise PreviewInputError(
            "--protocol", f"unknown protocol {args.protocol!r}; known: {', '.join(library.BUILTIN)}"
        )
    try:
        result = preview(
            library.builtin(args.protocol),
            weight_kg=args.weight_kg,
            dose_mg_per_kg=args.dose_mg_per_kg,
            basis=args.basis,
            height_cm=args.height_cm,
            sex=args.sex,
            concentration_mg_per_ml=args.concentration_mg_per_ml,
            volume_ml=args.volume_ml,
            model_id=args.model,
        )
    except PreviewInputError as exc:
        # Name the argument as typed on the command line.
        raise PreviewInputError("--" + exc.argument.replace("_", "-"), exc.message) from None
    return result.summary()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        out: Any = _protocols() if args.command == "protocols" else _preview(args)
    except (ArgError, PreviewInputError) as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    elif args.command == "protocols":
        for p in out:
            sys.stdout.write(f"{p['id']}: {p['title']}\n")
    else:
        for key in ("dose_mg", "weight_used_kg", "rate_ml_per_h", "peak_plasma_ng_per_ml"):
            sys.stdout.write(f"{key}: {out[key]}\n")
        sys.stdout.write(f"peak_band_ng_per_ml: {out['peak_band_ng_per_ml']}\n")
    return 0
