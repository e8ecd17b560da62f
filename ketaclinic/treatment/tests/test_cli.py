"""``ketaclinic plan`` through a subprocess, as other tools call it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ketaclinic.treatment import library


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ketaclinic", "plan", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_protocols_lists_the_library() -> None:
    out = run("protocols", "--json")
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [p["id"] for p in listed] == list(library.BUILTIN)
    depression = listed[0]
    assert depression["dose_steps_mg_per_kg"] == [0.5, 0.6, 0.75, 0.9, 1.0]
    assert "Zarate 2006" in depression["source"]
    assert listed[-1]["dose_mg_per_kg"] == 0.71


def test_preview_prints_the_contract() -> None:
    out = run(
        "preview", "--protocol", "alcohol_use_disorder", "--weight-kg", "70",
        "--concentration-mg-per-ml", "1", "--volume-ml", "500", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["dose_mg"] == pytest.approx(49.7)
    assert got["weight_used_kg"] == 70
    assert got["rate_ml_per_h"] == [231.0, 50.4]
    assert got["peak_band_ng_per_ml"]["5"] < got["peak_plasma_ng_per_ml"]
    assert got["peak_plasma_ng_per_ml"] < got["peak_band_ng_per_ml"]["95"]


def test_preview_on_ideal_weight() -> None:
    out = run(
        "preview", "--protocol", "depression", "--weight-kg", "120", "--basis", "ideal",
        "--height-cm", "170", "--sex", "male", "--json",
    )  # fmt: skip
    got = json.loads(out.stdout)
    assert got["weight_used_kg"] == pytest.approx(65.937, abs=1e-3)
    assert got["dose_mg"] == pytest.approx(32.969, abs=1e-3)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--protocol", "depression", "--weight-kg", "-2"], "--weight-kg"),
        (["--protocol", "nope", "--weight-kg", "70"], "--protocol"),
        (["--protocol", "depression", "--weight-kg", "70", "--basis", "ideal"], "--height-cm"),
        (["--protocol", "depression", "--weight-kg", "heavy"], "--weight-kg"),
        (
            ["--protocol", "depression", "--weight-kg", "70", "--volume-ml", "100"],
            "--concentration-mg-per-ml",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_exit_non_zero_naming_the_argument(args: list[str], named: str) -> None:
    out = run("preview", *args, "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ketaclinic plan: error:")
    assert named in lines[0]


def test_plan_loads_no_django() -> None:
    code = (
        "import sys; from ketaclinic.treatment import cli; cli.main(['protocols']);"
        "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
