"""The ``ketaclinic pk`` command-line contract, SVG plots and the no-Django rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ketaclinic.pharmacology.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and "--json" in argv else {}), err


def test_models(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, "models", "--json")
    assert code == 0
    ids = [m["id"] for m in data["models"]]
    assert {"domino1984", "kamp2020", "herd2007", "perezruixo2021"} <= set(ids)
    assert all(m["citation"] and "validity" in m for m in data["models"])


def test_simulate_dose_segments_and_bolus(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("simulate", "--model", "domino1984", "--weight-kg", "70")
    code, d, _ = run(
        capsys, *args, "--dose-mg-per-kg", "0.5", "--over-min", "40", "--at", "5,10,40,60", "--json"
    )
    assert code == 0
    assert set(d) == {"model", "times_min", "plasma_ng_per_ml", "effect_ng_per_ml", "delivered_mg"}
    assert d["model"] == "domino1984" and d["times_min"] == [5.0, 10.0, 40.0, 60.0]
    assert d["plasma_ng_per_ml"][2] == pytest.approx(240.36, abs=0.01)
    assert d["delivered_mg"] == pytest.approx([4.375, 8.75, 35.0, 35.0])
    _, seg, _ = run(capsys, *args, "--segments", "0.875:40", "--at", "5,10,40,60", "--json")
    assert seg["plasma_ng_per_ml"] == pytest.approx(d["plasma_ng_per_ml"], rel=1e-12)
    _, bol, _ = run(
        capsys,
        "simulate",
        "--model",
        "hornik2018",
        "--weight-kg",
        "70",
        "--bolus-mg",
        "35",
        "--at",
        "5",
        "--json",
    )
    assert bol["effect_ng_per_ml"] is None and bol["delivered_mg"] == [35.0]


def test_tci(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = (
        "tci",
        "--model",
        "domino1984",
        "--weight-kg",
        "70",
        "--target-ng-per-ml",
        "150",
        "--minutes",
        "40",
        "--period-s",
        "10",
    )
    code, d, _ = run(capsys, *base, "--effect-site", "--ke0-per-min", "0.653", "--json")
    assert code == 0 and set(d) == {"periods", "total_mg"}
    assert len(d["periods"]) == 240 and set(d["periods"][0]) == {"start_s", "rate_mg_per_min"}
    assert d["periods"][0]["rate_mg_per_min"] == pytest.approx(
        0.295449611052783 * 60, rel=1e-4
    )  # PyTCI exact
    svg = tmp_path / "tci.svg"
    code, capped, _ = run(capsys, *base, "--max-rate-mg-per-min", "2", "--json", "--svg", str(svg))
    assert max(p["rate_mg_per_min"] for p in capped["periods"]) <= 2.0
    assert "Time (min)" in svg.read_text() and "target 150 ng/mL" in svg.read_text()


def test_population_and_svg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    svg = tmp_path / "pop.svg"
    code, d, err = run(
        capsys,
        "population",
        "--model",
        "herd2007",
        "--weight-kg",
        "70",
        "--dose-mg-per-kg",
        "0.5",
        "--over-min",
        "40",
        "--n",
        "2000",
        "--seed",
        "1",
        "--at",
        "10,40,60",
        "--json",
        "--svg",
        str(svg),
    )
    assert (
        code == 0
        and set(d) == {"times_min", "percentiles"}
        and set(d["percentiles"]) == {"5", "50", "95"}
    )
    assert d["percentiles"]["5"][1] < 185 < d["percentiles"]["95"][1]
    text = svg.read_text()
    assert (
        text.startswith("<?xml")
        and "ng/mL" in text
        and "percentile" in text
        and "infusion running" in text
    )


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["simulate", "--weight-kg", "0", "--bolus-mg", "5"], "--weight-kg"),
        (["simulate", "--model", "nope", "--weight-kg", "70", "--bolus-mg", "5"], "--model"),
        (["simulate", "--weight-kg", "70", "--dose-mg-per-kg", "0.5"], "--over-min"),
        (["simulate", "--weight-kg", "70", "--segments", "1:0"], "--segments"),
        (["simulate", "--weight-kg", "70", "--bolus-mg", "5", "--at", "x"], "--at"),
        (
            [
                "tci",
                "--weight-kg",
                "70",
                "--target-ng-per-ml",
                "150",
                "--minutes",
                "40",
                "--period-s",
                "0",
            ],
            "--period-s",
        ),
        (
            [
                "tci",
                "--model",
                "hijazi2003",
                "--weight-kg",
                "70",
                "--target-ng-per-ml",
                "150",
                "--minutes",
                "4",
                "--effect-site",
            ],
            "--ke0-per-min",
        ),
        (
            [
                "population",
                "--model",
                "domino1984",
                "--weight-kg",
                "70",
                "--bolus-mg",
                "5",
                "--n",
                "10",
            ],
            "omega",
        ),
        (
            [
                "population",
                "--model",
                "herd2007",
                "--weight-kg",
                "70",
                "--bolus-mg",
                "5",
                "--n",
                "0",
            ],
            "--n",
        ),
        (["frobnicate"], "command"),
    ],
)
def test_bad_arguments_exit_nonzero_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], name: str
) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and name in err


def test_module_entry_point_and_no_django() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ketaclinic.pharmacology.cli",
            "simulate",
            "--weight-kg",
            "70",
            "--bolus-mg",
            "35",
            "--at",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert json.loads(out.stdout)["model"] == "domino1984"
    code = (
        "import sys, pkgutil, importlib, ketaclinic.pharmacology as p\n"
        "names = [m.name for m in pkgutil.iter_modules(p.__path__)]\n"
        "mods = [importlib.import_module(f'ketaclinic.pharmacology.{n}') for n in names]\n"
        "assert len(mods) >= 10, mods\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert res.stdout.strip() == "[]"
