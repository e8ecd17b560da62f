"""The ``ketaclinic instruments`` command-line contract, and the no-Django rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ketaclinic.instruments.cli import main

ROOT = Path(__file__).resolve().parents[2]
# The installed console script of this virtual environment (.venv/bin/ketaclinic).
KETACLINIC = str(Path(sys.executable).parent / "ketaclinic")
KEYS = {
    "instrument",
    "total",
    "severity",
    "subscores",
    "flags",
    "provisional_diagnosis",
    "risk_level",
}


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KETACLINIC, "instruments", *argv], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_list_json_through_the_console_script() -> None:
    res = run("list", "--json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)["instruments"]
    assert [r["id"] for r in rows] == [
        "phq9",
        "gad7",
        "pcl5",
        "cssrs-screener",
        "qids-sr16",
        "madrs",
        "cadss",
        "cadss6",
        "bprs-positive",
        "audit",
        "audit-c",
        "dudit",
        "pacs",
        "moaas",
        "after-effects",
    ]
    phq9 = rows[0]
    assert phq9["name"].startswith("Patient Health Questionnaire-9")
    assert (phq9["item_count"], phq9["scored_item_count"]) == (10, 9)
    assert (phq9["panel_code"], phq9["total_code"]) == ("44249-1", "44261-6")
    assert phq9["code_system"] == "http://loinc.org"
    assert phq9["item_codes"][8] == "44260-8"
    assert rows[1]["item_codes"][5:] == ["69689-8", "69736-7"]
    assert rows[2]["panel_code"] == "ketaclinic-pcl5" and rows[2]["item_count"] == 20


def test_score_phq9_json() -> None:
    res = run("score", "phq9", "--answers", "1,2,3,0,1,2,3,0,1", "--json")
    assert res.returncode == 0 and res.stderr == ""
    data = json.loads(res.stdout)
    assert set(data) == KEYS
    assert data == {
        "instrument": "phq9",
        "total": 13,
        "severity": "moderate",
        "subscores": {},
        "flags": ["suicidal-ideation", "positive-screen"],
        "provisional_diagnosis": None,
        "risk_level": None,
    }


def test_score_cssrs_skip_logic_json() -> None:
    res = run("score", "cssrs-screener", "--answers", "yes,no,,,,no", "--json")
    assert res.returncode == 0
    data = json.loads(res.stdout)
    assert set(data) == KEYS
    assert (data["risk_level"], data["total"], data["flags"]) == ("low", None, [])
    res = run("score", "cssrs-screener", "--answers", "yes,yes,no,yes,no,no", "--json")
    assert json.loads(res.stdout)["risk_level"] == "high"
    assert json.loads(res.stdout)["flags"] == ["suicide-risk"]


def test_bad_answer_exits_nonzero_with_one_line_naming_the_item() -> None:
    res = run("score", "phq9", "--answers", "1,2,3,0,1,2,3,0,4", "--json")
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.splitlines() == [
        "ketaclinic instruments: error: item 9: 4 is not one of 0, 1, 2, 3"
    ]


def test_missing_phq9_item_gives_null_total_and_a_note() -> None:
    res = run("score", "phq9", "--answers", "1,1,,1,1,1,1,1,0", "--json")
    assert res.returncode == 0
    data = json.loads(res.stdout)
    assert data["total"] is None and data["severity"] is None and data["flags"] == []
    assert res.stderr.startswith("ketaclinic instruments: note: item 3 unanswered")


def test_score_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    cases: list[tuple[list[str], dict[str, object]]] = [
        (["pcl5", "--answers", ",".join(["2"] * 20)], {"total": 40, "provisional_diagnosis": True}),
        (
            ["pcl5", "--answers", ",".join(["2"] * 20)],
            {"subscores": {"B": 10, "C": 4, "D": 14, "E": 12}},
        ),
        (
            ["qids-sr16", "--answers", ",".join(["3"] * 16)],
            {"total": 27, "severity": "very severe"},
        ),
        (["audit-c", "--answers", "1,1,1", "--sex", "female"], {"flags": ["positive-screen"]}),
        (["audit-c", "--answers", "1,1,1", "--sex", "male"], {"flags": []}),
        (["phq9", "--answers", "0,0,0,0,0,0,0,0,0,3"], {"total": 0, "severity": "none/minimal"}),
        (["moaas", "--answers", "3"], {"total": 3, "flags": ["sedated"]}),
        (["after-effects", "--answers", "3,0,0,0,0,0,1"], {"total": None}),
    ]
    for argv, expected in cases:
        assert main(["score", *argv, "--json"]) == 0, argv
        data = json.loads(capsys.readouterr().out)
        assert set(data) == KEYS
        for key, value in expected.items():
            assert data[key] == value, (argv, key)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "phq9", "--answers", "1,2,x,0,1,2,3,0,1"], "item 3: 'x' is not one of"),
        (["score", "phq9", "--answers", "1,2,3"], "answers: phq9 takes 9 or 10 answers"),
        (["score", "gad7", "--answers", "0,0,0,0,0,0,0,0"], "answers: gad7 takes 7 answers"),
        (["score", "cssrs-screener", "--answers", "yes,no,yes,,,no"], "item 3: not asked"),
        (["score", "cssrs-screener", "--answers", "yes,no,,,,yes"], "item 6: 'yes' is not one"),
        (["score", "audit", "--answers", "0,0,0,0,0,0,0,0,1,0"], "item 9: 1 is not one of 0, 2, 4"),
        (["score", "nope", "--answers", "1"], "instrument: unknown id 'nope'"),
        (["score", "audit-c", "--answers", "1,1,1", "--sex", "other"], "argument --sex"),
        (["score", "phq9"], "--answers"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ketaclinic instruments: error: ")
    assert message in lines[0]


def test_help_documents_the_answer_conventions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "PHQ-9: 9 answers, or 10 with the unscored difficulty question" in text
    assert "yes,no,,,,no" in text and "--sex" in text


def test_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "gad7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["items"][6]["text"] == "Feeling afraid as if something awful might happen"
    assert data["items"][0]["options"][3] == {
        "value": 3,
        "label": "Nearly every day",
        "loinc": None,
    }
    assert data["bands"][-1] == {"low": 15, "high": 21, "name": "severe"}


def test_no_django_is_imported() -> None:
    code = (
        "import sys, pkgutil, importlib, ketaclinic.instruments as p\n"
        "names = [m.name for m in pkgutil.iter_modules(p.__path__)]\n"
        "mods = [importlib.import_module(f'ketaclinic.instruments.{n}') for n in names]\n"
        "assert len(mods) >= 10, mods\n"
        "from ketaclinic.instruments.cli import main\n"
        "assert main(['score', 'phq9', '--answers', '0,0,0,0,0,0,0,0,0', '--json']) == 0\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert res.stdout.strip().splitlines()[-1] == "[]"
