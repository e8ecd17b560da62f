"""Registered audit actions: declared once, each with a label; nothing else may be recorded."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, SimpleTestCase, override_settings

from ketaclinic.accounts.models import Role
from ketaclinic.audit.log import record, record_view
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.registry import Registry, UnregisteredAction, register, registry
from ketaclinic.testing import BaseTestCase

# Names nobody registered, in variables so the source walk below does not count them.
UNREGISTERED = "inquiry.triage"
UNREGISTERED_SECTION = "no_such_section"
ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "ketaclinic", ROOT / "tests", ROOT / "benchmarks", ROOT / "conftest.py"]


def _literals(node: ast.expr) -> Iterator[str]:
    """The string literals an action argument can evaluate to ("a" if ok else "b" gives both)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr if func.value.id in ("log", "audit_log") else ""
    return ""


def recorded_names() -> dict[str, list[str]]:
    """Every action name passed literally to ``record`` or made by ``record_view``, with where."""
    found: dict[str, list[str]] = {}
    files = [p for s in SOURCES for p in ([s] if s.is_file() else sorted(s.rglob("*.py")))]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            name = _called(node)
            names: list[str] = []
            if name == "record" and node.args:
                names = list(_literals(node.args[0]))
            elif name == "record_view":
                section = node.args[2] if len(node.args) > 2 else None
                for keyword in node.keywords:
                    if keyword.arg == "section":
                        section = keyword.value
                if section is None:
                    names = ["view"]
                else:
                    names = [f"view.{s}" if s else "view" for s in _literals(section)]
            for action in names:
                found.setdefault(action, []).append(where)
    return found


class RegisteredNamesTests(SimpleTestCase):
    def test_every_name_recorded_in_the_code_is_registered(self) -> None:
        found = recorded_names()
        # The walk itself works: it sees plain, conditional and record_view names.
        assert {"inquiry.status", "auth.reauth_failed", "2fa.enrol", "view.audit_report"} <= set(
            found
        )
        missing = {name: where for name, where in found.items() if not registry.is_registered(name)}
        assert not missing, (
            "Unregistered audit actions (add them to the app's audit_events.py): "
            + (
                "; ".join(
                    f"{name} at {', '.join(where)}" for name, where in sorted(missing.items())
                )
            )
        )

    def test_every_app_declared_its_actions_through_autodiscovery(self) -> None:
        for name, label, kind in [
            ("inquiry.status", "Changed an inquiry's status", "inquiries.inquiry"),
            ("auth.logout", "Signed out", "accounts.user"),
            ("clinic.settings.update", "Changed the clinic's settings", "clinics.clinic"),
            ("session.switch_clinic", "Switched to another clinic", ""),
            ("view.audit_report", "Opened the audit report", "audit.report"),
        ]:
            action = registry.get(name)
            assert action is not None, name
            assert (action.label, action.kind) == (label, kind)

    def test_it_refuses_a_second_declaration_of_a_name(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "'inquiry.status' is already"):
            register("inquiry.status", "Something else", kind="inquiries.inquiry")
        assert registry.label("inquiry.status") == "Changed an inquiry's status"
        fresh = Registry()
        fresh.register("x.y", "Did y")
        with self.assertRaises(ImproperlyConfigured):
            fresh.register("x.y", "Did y")
        with self.assertRaises(ImproperlyConfigured):
            fresh.register_kind("k.k", "Kind")
            fresh.register_kind("k.k", "Kind")

    def test_it_refuses_malformed_names_and_empty_labels(self) -> None:
        fresh = Registry()
        for name in ("Inquiry.Status", "inquiry status", "inquiry.", ".x", "", "x" * 65):
            with self.assertRaises(ImproperlyConfigured, msg=name):
                fresh.register(name, "A label")
        with self.assertRaises(ImproperlyConfigured):
            fresh.register("x.y", "  ")
        assert fresh.names() == set()

    def test_it_lists_actions_by_label(self) -> None:
        fresh = Registry()
        fresh.register("b.b", "Zipped")
        fresh.register("a.a", "added")
        assert [a.name for a in fresh.actions()] == ["a.a", "b.b"]
        assert fresh.label("nope") == "nope"


class StrictRecordingTests(BaseTestCase):
    def test_recording_an_unregistered_name_fails_in_the_test_suite(self) -> None:
        with self.assertRaisesMessage(UnregisteredAction, "'inquiry.triage' is not registered"):
            record(UNREGISTERED, clinic=self.clinic)
        request = RequestFactory().get("/")
        request.user = self.users[Role.NURSE]
        with self.assertRaises(UnregisteredAction):
            record_view(request, self.clinic, UNREGISTERED_SECTION)
        assert not AuditEntry.objects.exists()

    @override_settings(AUDIT_STRICT_ACTIONS=False)
    def test_production_records_an_unregistered_name_with_a_warning(self) -> None:
        with self.assertLogs("ketaclinic.audit.log", "WARNING") as logs:
            entry = record(UNREGISTERED, clinic=self.clinic)
        assert entry is not None
        assert AuditEntry.objects.get().action == "inquiry.triage"
        assert "'inquiry.triage'" in logs.output[0]
