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
            "--model",
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


SIM = ["simulate", "--weight-kg", "70"]
TCI = ["tci", "--weight-kg", "70", "--target-ng-per-ml", "150", "--minutes", "40"]
POP = ["population", "--model", "herd2007", "--weight-kg", "70", "--bolus-mg", "5"]
BAD_INVOCATIONS = [
    (SIM + ["--dose-mg-per-kg", "inf", "--over-min", "40"], "--dose-mg-per-kg", "finite"),
    (SIM + ["--dose-mg-per-kg", "0.5", "--over-min", "nan"], "--over-min", "finite"),
    (SIM + ["--dose-mg-per-kg", "0.5", "--over-min", "2000"], "--over-min", "1440"),
    (SIM + ["--bolus-mg", "inf"], "--bolus-mg", "finite"),
    (["simulate", "--weight-kg", "inf", "--bolus-mg", "5"], "--weight-kg", "finite"),
    (SIM + ["--bolus-mg", "5", "--age-years", "-1"], "--age-years", ">= 0"),
    (SIM + ["--bolus-mg", "5", "--ke0-per-min", "-1"], "--ke0-per-min", "> 0"),
    (SIM + ["--segments", "1:10,inf:5"], "--segments", "segment 2"),
    (SIM + ["--segments", "1:1000,1:1000"], "--segments", "1440"),
    (
        SIM + ["--segments", "100000:10"],
        "--segments",
        "segment 1 rate 100000 mg/min exceeds the pump maximum of 200 mg/min "
        "(1200 mL/h at 10 mg/mL)",
    ),
    (
        SIM + ["--segments", "1:10,25:5", "--concentration-mg-per-ml", "1"],
        "--segments",
        "segment 2 rate 25 mg/min exceeds the pump maximum of 20 mg/min (1200 mL/h at 1 mg/mL)",
    ),
    (
        SIM + ["--dose-mg-per-kg", "10", "--over-min", "2"],
        "--dose-mg-per-kg",
        "implied rate 350 mg/min (10 mg/kg x 70 kg over 2 min) exceeds the pump maximum of "
        "200 mg/min",
    ),
    (
        SIM + ["--bolus-mg", "5", "--concentration-mg-per-ml", "0"],
        "--concentration-mg-per-ml",
        "> 0",
    ),
    (SIM + ["--bolus-mg", "5", "--pump-max-ml-per-h", "-5"], "--pump-max-ml-per-h", "> 0"),
    (SIM + ["--model", "nope", "--bolus-mg", "5"], "--model", "unknown model 'nope'"),
    (
        SIM + ["--model", "perezruixo2021", "--age-years", "200", "--bolus-mg", "5"],
        "--age-years",
        "no hepatic flow",
    ),
    (SIM + ["--bolus-mg", "5", "--product", "esketamine"], "--product", "racemic-ketamine model"),
    (TCI + ["--period-s", "4000", "--effect-site"], "--period-s", "3600 s look-ahead"),
    (TCI + ["--period-s", "0.5"], "--period-s", ">= 1 s"),
    (
        ["tci", "--weight-kg", "70", "--target-ng-per-ml", "150", "--minutes", "1441"],
        "--minutes",
        "1440",
    ),
    (TCI + ["--max-rate-mg-per-min", "0"], "--max-rate-mg-per-min", "> 0"),
    (TCI + ["--max-rate-mg-per-min", "inf"], "--max-rate-mg-per-min", "finite"),
    (
        ["tci", "--weight-kg", "70", "--target-ng-per-ml", "-1", "--minutes", "4"],
        "--target-ng-per-ml",
        ">= 0",
    ),
    (
        ["population", "--model", "domino1984", "--weight-kg", "70", "--bolus-mg", "5"],
        "--model",
        "domino1984 has no published between-subject variability; use a model that has one "
        "(flint2017, herd2007, perezruixo2021)",
    ),
    (POP + ["--n", "100001"], "--n", "between 1 and 100000"),
    (POP + ["--n", "0"], "--n", "between 1 and 100000"),
    (POP + ["--seed", "-1"], "--seed", ">= 0"),
    (POP + ["--percentiles", "5,50,5.0"], "--percentiles", "duplicate value(s) 5"),
    (POP + ["--percentiles", "5,101"], "--percentiles", "0-100"),
]


@pytest.mark.parametrize(("argv", "option", "reason"), BAD_INVOCATIONS)
def test_bad_invocations_name_the_option_in_one_clean_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str, reason: str
) -> None:
    """Each error is ``ketaclinic pk: error: argument --X: <reason>``: the command-line option
    (never an engine field such as dose_mg, omega, horizon_s or Qh), no repeated prefix."""
    code = main(argv)
    err = capsys.readouterr().err
    lines = [ln for ln in err.strip().splitlines() if ": warning: " not in ln]
    assert code == 2 and len(lines) == 1, err
    prefix = f"ketaclinic pk: error: argument {option}: "
    assert lines[0].startswith(prefix), lines[0]
    rest = lines[0][len(prefix) :]
    assert reason in rest
    field = option.lstrip("-").replace("-", "_")
    assert not rest.startswith((f"{field}:", "argument")), rest


def _first_rates(capsys: pytest.CaptureFixture[str], *extra: str) -> list[float]:
    argv = ["tci", "--weight-kg", "70", "--target-ng-per-ml", "10000", "--minutes", "1", *extra]
    code, data, _ = run(capsys, *argv, "--json")
    assert code == 0
    return [p["rate_mg_per_min"] for p in data["periods"]]


def test_tci_is_capped_at_the_pump_limit_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Domino 70 kg, 10,000 ng/mL: the uncapped first period is 301.7 mg/min (plasma) and
    1181.8 mg/min (effect site); the default pump limit is 1200 mL/h x 10 mg/mL / 60 =
    200 mg/min; --max-rate-mg-per-min lowers it, never raises it; --concentration-mg-per-ml 1
    gives 20 mg/min."""
    assert _first_rates(capsys)[0] == pytest.approx(200.0)
    assert max(_first_rates(capsys, "--effect-site")) == pytest.approx(200.0)
    assert max(_first_rates(capsys, "--max-rate-mg-per-min", "5")) == pytest.approx(5.0)
    assert max(_first_rates(capsys, "--max-rate-mg-per-min", "500")) == pytest.approx(200.0)
    assert max(_first_rates(capsys, "--concentration-mg-per-ml", "1")) == pytest.approx(20.0)
    assert max(_first_rates(capsys, "--pump-max-ml-per-h", "600")) == pytest.approx(100.0)
    # below the limit nothing changes: the Shafer-Gregg first period of 150 ng/mL (PyTCI exact)
    code, d, _ = run(capsys, *TCI, "--effect-site", "--ke0-per-min", "0.653", "--json")
    assert d["periods"][0]["rate_mg_per_min"] == pytest.approx(0.295449611052783 * 60, rel=1e-4)


def test_simulate_accepts_a_rate_at_the_pump_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, d, _ = run(capsys, *SIM, "--segments", "200:1", "--at", "1", "--json")
    assert code == 0 and d["delivered_mg"] == pytest.approx([200.0])
    code, d, _ = run(
        capsys,
        *SIM,
        "--segments",
        "25:1",
        "--pump-max-ml-per-h",
        "1500",
        "--concentration-mg-per-ml",
        "1",
        "--at",
        "1",
        "--json",
    )
    assert code == 0 and d["delivered_mg"] == pytest.approx([25.0])


@pytest.mark.parametrize("command", ["simulate", "population", "tci"])
def test_s_ketamine_model_prints_a_note_and_leaves_json_unchanged(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A racemic dose through Perez-Ruixo 2021 (S-ketamine) is halved and labelled on stderr."""
    base = [command, "--model", "perezruixo2021", "--weight-kg", "70"]
    if command == "tci":
        argv = base + ["--target-ng-per-ml", "100", "--minutes", "1", "--json"]
        keys = {"periods", "total_mg"}
        note = (
            "the target is an S-ketamine concentration; the rates are racemic product, "
            "twice the S-ketamine rate"
        )
    else:
        argv = base + ["--dose-mg-per-kg", "0.5", "--over-min", "40", "--at", "40", "--json"]
        argv += ["--n", "200", "--seed", "1"] if command == "population" else []
        keys = {"model", "times_min", "plasma_ng_per_ml", "effect_ng_per_ml", "delivered_mg"}
        keys = {"times_min", "percentiles"} if command == "population" else keys
        note = "the racemic dose was halved; concentrations are S-ketamine"
    code, data, err = run(capsys, *argv)
    assert code == 0 and set(data) == keys
    notes = [ln for ln in err.splitlines() if ": note: " in ln]
    assert notes == [f"ketaclinic pk: note: S-ketamine model (perezruixo2021): {note}"]
    if command == "simulate":
        _, esk, err2 = run(
            capsys,
            *base,
            "--dose-mg-per-kg",
            "0.25",
            "--over-min",
            "40",
            "--at",
            "40",
            "--product",
            "esketamine",
            "--json",
        )
        assert esk["plasma_ng_per_ml"] == pytest.approx(data["plasma_ng_per_ml"], rel=1e-12)
        assert ": note: " not in err2
    _, _, err3 = run(capsys, "simulate", "--weight-kg", "70", "--bolus-mg", "5", "--at", "1")
    assert err3 == ""
