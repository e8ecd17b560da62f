"""Layout of the pharmacology package: no private names across modules, no import cycles,
and the names callers import keep working from where they imported them.

Imports are read with ``ast`` from the source files, at every depth (an import inside a
function is as much a dependency as one at the top: the old ``linear`` / ``grid`` circle
was hidden in a function).
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import pytest

import ketaclinic.pharmacology

PKG = "ketaclinic.pharmacology"
PKG_DIR = Path(ketaclinic.pharmacology.__file__).parent


def package_modules() -> dict[str, str]:
    """Dotted module name -> source, for every module of the package (``__init__`` included)."""
    out = {}
    for path in sorted(PKG_DIR.glob("*.py")):
        name = PKG if path.stem == "__init__" else f"{PKG}.{path.stem}"
        out[name] = path.read_text(encoding="utf-8")
    return out


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def package_imports(
    source: str, modules: Set[str], package: str = PKG
) -> Iterator[tuple[str, str | None, int]]:
    """``(module, name or None, line)`` for each import of a module of ``package``.

    ``from .grid import solve_grid`` gives ``(PKG.grid, "solve_grid")``; ``from . import tci``
    and ``import ketaclinic.pharmacology.tci`` give ``(PKG.tci, None)``.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(node, package)
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:  # a submodule imported by name
                    yield f"{target}.{alias.name}", None, node.lineno
                elif target == package or target.startswith(package + "."):
                    yield target, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(package + "."):
                    yield alias.name, None, node.lineno


def private_uses(source: str, modules: Set[str], package: str = PKG) -> list[str]:
    """Uses of another module's underscore names: imported by name, or as ``module._name``."""
    found = []
    module_aliases = set()
    for target, name, line in package_imports(source, modules, package):
        if target.rsplit(".", 1)[-1].startswith("_") and target.rsplit(".", 1)[-1] != "__init__":
            found.append(f"line {line}: private module {target}")
        if name is not None and name.startswith("_"):
            found.append(f"line {line}: {name} from {target}")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _resolve(node, package) == package:
            module_aliases |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            module_aliases |= {
                a.asname for a in node.names if a.asname and a.name.startswith(package + ".")
            }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def import_graph(sources: Mapping[str, str], package: str = PKG) -> dict[str, set[str]]:
    """Module -> the package modules it imports (at any depth)."""
    modules = set(sources)
    return {
        name: {t for t, _, _ in package_imports(src, modules, package) if t != name}
        for name, src in sources.items()
    }


def find_cycle(graph: Mapping[str, Set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_the_checks_catch_what_they_are_for() -> None:
    """The detectors flag a private import, a private attribute of a sibling module and a cycle
    hidden in a function (the shape the linear / grid circle had)."""
    mods = {f"{PKG}.linear", f"{PKG}.grid", f"{PKG}.tci"}
    bad = (
        "from .linear import Schedule, _modal_event_states\n"
        "from . import tci\n"
        "from ketaclinic.pharmacology.grid import _power_table as table\n"
        "def f():\n"
        "    return tci._augmented_expm, tci.__name__\n"
    )
    assert private_uses(bad, mods) == [
        f"line 1: _modal_event_states from {PKG}.linear",
        f"line 3: _power_table from {PKG}.grid",
        "line 5: tci._augmented_expm",
    ]
    assert private_uses("from .linear import Schedule\nimport numpy as _np\n", mods) == []
    graph = import_graph(
        {
            f"{PKG}.linear": "def solve():\n    from .grid import solve_grid\n",
            f"{PKG}.grid": "from .linear import solve\n",
            f"{PKG}.tci": "from .linear import solve\n",
        }
    )
    assert find_cycle(graph) == [f"{PKG}.grid", f"{PKG}.linear", f"{PKG}.grid"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_module_uses_a_private_name_of_a_sibling_module() -> None:
    sources = package_modules()
    assert len(sources) >= 20  # the reader sees the whole package
    problems = {
        name: found for name, src in sources.items() if (found := private_uses(src, set(sources)))
    }
    assert problems == {}


def test_the_package_import_graph_has_no_cycles() -> None:
    graph = import_graph(package_modules())
    assert graph[f"{PKG}.linear"] >= {f"{PKG}.grid", f"{PKG}.propagation"}  # edges are read
    assert f"{PKG}.linear" not in graph[f"{PKG}.grid"]
    assert find_cycle(graph) is None


# Public names as callers imported them before the package was split by workflow; each module
# listed still offers them (the same objects as in the module that now defines them).
STABLE_IMPORTS = {
    "plans": (
        "ADJUSTED_WEIGHT_FACTOR DEFAULT_CONCENTRATION_MG_PER_ML DEFAULT_PUMP_MAX_ML_PER_H "
        "WEIGHT_BASES Bolus ChartEntry Container DosePlan PumpStep Segment dosing_weight_kg "
        "ideal_body_weight_kg infusion_plan plan_from_chart pump_step regimen "
        "resume_rate_ml_per_h"
    ),
    "linear": (
        "MAX_EIGENVECTOR_CONDITION MIN_RELATIVE_EIGEN_GAP FloatArray LinearSystem Modal "
        "Schedule modal_decomposition solve"
    ),
    "tci": (
        "DEFAULT_HORIZON_S DEFAULT_PERIOD_S DEFAULT_SWITCH_EFFECT_TOLERANCE "
        "DEFAULT_SWITCH_PLASMA_TOLERANCE TCIResult TargetSpec effect_tci max_rate_from_pump "
        "plasma_tci"
    ),
    "models": (
        "REFERENCE_WEIGHT_KG ALLOMETRIC_CLEARANCE_EXPONENT SCALINGS Parameter Validity Patient "
        "PKModel ParameterSet mammillary_from_micro mammillary_from_clearances micro_constants "
        "ke0_for_time_to_peak custom_model"
    ),
    "library": "MODELS DEFAULT_MODEL_ID DOMINO_1984 PEREZ_RUIXO_2021 get_model dose_factor",
    "grid": "iter_grid solve_grid uniform_grid",
}
HOMES = {
    "plans": ("body_weight", "pump", "dose_plans", "chart"),
    "linear": ("systems", "schedule"),
    "tci": ("tci_schedule",),
    "models": ("compartments",),
    "library": ("perez_ruixo",),
}


@pytest.mark.parametrize("module", sorted(STABLE_IMPORTS))
def test_names_stay_importable_where_callers_import_them(module: str) -> None:
    mod = importlib.import_module(f"{PKG}.{module}")
    homes = [importlib.import_module(f"{PKG}.{h}") for h in HOMES.get(module, ())]
    for name in STABLE_IMPORTS[module].split():
        assert hasattr(mod, name), f"{module}.{name}"
        for home in homes:
            if hasattr(home, name):
                assert getattr(mod, name) is getattr(home, name), f"{module}.{name}"
    for facade in ("plans", "linear", "tci"):
        exported = set(importlib.import_module(f"{PKG}.{facade}").__all__)
        assert exported >= set(STABLE_IMPORTS[facade].split())
