"""``ketaclinic instruments`` command line: list, show, score.

Called as ``main(argv)`` with everything after ``instruments``. Imports no Django.

Contract::

    ketaclinic instruments list [--json]
    ketaclinic instruments show ID [--json]
    ketaclinic instruments score ID --answers A1,A2,... [--sex female|male] [--json]

``--answers`` are in item order, each the value of a published answer option (the numbers
shown by ``show``; the C-SSRS screener takes ``yes``/``no`` for questions 1-5 and
``yes-recent``/``yes-past``/``no`` for question 6). An unanswered item, or one the skip logic
leaves unasked, is left empty: ``yes,no,,,,no``. The PHQ-9 takes 9 answers, or 10 with the
unscored difficulty question last. ``--sex`` decides the sex-specific cut-offs of AUDIT-C and
DUDIT. ``score --json`` prints one object with exactly the keys ``instrument``, ``total``,
``severity``, ``subscores``, ``flags``, ``provisional_diagnosis``, ``risk_level``; why a total
was refused, and any other note, goes to stderr as ``ketaclinic instruments: note: ...``.
Bad input exits 2 with one line ``ketaclinic instruments: error: item N: reason``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from .errors import InstrumentInputError
from .model import LOCAL_CODE_SYSTEM, LOINC_SYSTEM, Instrument
from .registry import INSTRUMENTS, SEXES, get, parse_answers, score

PROG = "ketaclinic instruments"

_SCORE_HELP = """\
answers in item order, comma-separated, each the VALUE of a published answer option
(see `show ID`); leave an unanswered item empty. PHQ-9: 9 answers, or 10 with the
unscored difficulty question (0-3) last. C-SSRS screener: yes/no for questions 1-5,
yes-recent/yes-past/no for question 6; questions 3-5 are left empty when question 2 is
no, e.g. yes,no,,,,no. CADSS-6: CADSS items 1, 2, 6, 7, 15, 22 in that order.
AUDIT and AUDIT-C items 9-10 / DUDIT items 10-11 take 0, 2 or 4."""


class ArgError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ArgError(message.splitlines()[0])


def emit(text: str, err: bool = False) -> None:
    """Write one line to stdout or stderr."""
    (sys.stderr if err else sys.stdout).write(text + "\n")


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Outcome instruments: data and exact scoring.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    p_list = sub.add_parser("list", help="ids, names, item counts and codes")
    p_list.add_argument("--json", action="store_true")
    p_show = sub.add_parser("show", help="one instrument: items, options, codes, licence")
    p_show.add_argument("id", choices=list(INSTRUMENTS), metavar="ID")
    p_show.add_argument("--json", action="store_true")
    p_score = sub.add_parser(
        "score",
        help="score one set of answers",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_SCORE_HELP,
    )
    p_score.add_argument("id", metavar="ID", help=", ".join(INSTRUMENTS))
    p_score.add_argument("--answers", required=True, help="A1,A2,... (see below)")
    p_score.add_argument(
        "--sex",
        choices=SEXES,
        help="for the sex-specific cut-offs of AUDIT-C (>= 4 men, >= 3 women) and DUDIT "
        "(>= 6 men, >= 2 women); without it a flag is set only where both agree",
    )
    p_score.add_argument("--json", action="store_true")
    return parser


def _summary(inst: Instrument) -> dict[str, object]:
    return {
        "id": inst.id,
        "name": inst.name,
        "version": inst.version,
        "rater": inst.rater,
        "item_count": len(inst.items),
        "scored_item_count": len(inst.scored_items),
        "code_system": LOINC_SYSTEM if inst.uses_loinc else LOCAL_CODE_SYSTEM,
        "panel_code": inst.panel_code,
        "total_code": inst.total_code,
        "item_codes": [it.code for it in inst.items],
        "total_range": list(inst.total_range) if inst.total_range else None,
        "wording": inst.wording,
        "licence": inst.licence,
    }


def _detail(inst: Instrument) -> dict[str, object]:
    data = _summary(inst)
    data.update(
        citation=inst.citation,
        recall_period=inst.recall_period,
        instructions=inst.instructions,
        bands=[{"low": b.low, "high": b.high, "name": b.name} for b in inst.bands],
        items=[
            {
                "number": it.number,
                "code": it.code,
                "label": it.label,
                "text": it.text,
                "scored": it.scored,
                "options": [
                    {"value": o.value, "label": o.label, "loinc": o.loinc} for o in it.options
                ],
            }
            for it in inst.items
        ],
    )
    return data


def _score(args: argparse.Namespace) -> tuple[dict[str, object], list[str]]:
    texts = args.answers.split(",")
    result = score(args.id, parse_answers(args.id, texts), sex=args.sex)
    notes = ([result.refused] if result.refused else []) + list(result.notes)
    return result.as_json(), notes


def _human(command: str, data: dict[str, object]) -> None:
    if command == "list":
        for row in data["instruments"]:  # type: ignore[attr-defined]
            count = f"{row['item_count']:3d} items"
            emit(f"{row['id']:15s} {count}  {row['panel_code']:28s} {row['name']}")
        return
    if command == "score":
        for key, value in data.items():
            emit(f"{key}: {json.dumps(value)}")
        return
    emit(json.dumps(data, indent=2, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ketaclinic instruments`` with ``argv`` (everything after ``instruments``).

    Returns
    -------
    int
        0 on success, 2 for bad arguments or answers (one line on stderr naming the item).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except ArgError as exc:
        emit(f"{PROG}: error: {exc}", err=True)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    notes: list[str] = []
    try:
        if args.command == "list":
            data: dict[str, object] = {"instruments": [_summary(i) for i in INSTRUMENTS.values()]}
        elif args.command == "show":
            data = _detail(get(args.id))
        else:
            data, notes = _score(args)
    except InstrumentInputError as exc:
        emit(f"{PROG}: error: {exc}", err=True)
        return 2
    for note in notes:
        emit(f"{PROG}: note: {note}", err=True)
    if args.json:
        emit(json.dumps(data, ensure_ascii=False))
    else:
        _human(args.command, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
