"""Walks every URL pattern: nothing is reachable without sign-in unless it is on the allowlist,
every view declares a policy, and no GET changes state."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from ketaclinic.access.policy import policy_of
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase

# Views an anonymous visitor may open. Adding a name here is a security decision: review it.
PUBLIC_ALLOWLIST = {
    "web:index",
    "inquiries:public_page",
    "inquiries:form",
    "inquiries:thanks",
    "inquiries:theme_css",  # the clinic's two colours, nothing else
    "inquiries:embed",  # the same public form, framable by the clinic's listed sites
    "inquiries:embed_thanks",  # names no visitor data; reached with a signed token
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
# Models whose rows a GET may legitimately touch: session bookkeeping and login throttles.
BOOKKEEPING = {
    "sessions.session",
    "accounts.usersession",
    "axes.accessattempt",
    "axes.accesslog",
    "audit.auditentry",  # reads are audited; real writes are counted separately below
}


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns if ns else namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), p if not name else _named(p, name)


def _named(p: URLPattern, name: str) -> URLPattern:
    p.full_name = name  # type: ignore[attr-defined]
    return p


def all_patterns() -> list[tuple[str, str, URLPattern]]:
    out = []
    for route, p in walk(get_resolver().url_patterns):
        out.append((route, getattr(p, "full_name", p.name or ""), p))
    return out


def sample_url(route: str, p: URLPattern, slug: str) -> str | None:
    name = getattr(p, "full_name", None)
    kwargs: dict[str, int | str] = {}
    for key, conv in p.pattern.converters.items():
        kind = type(conv).__name__
        if kind == "IntConverter":
            kwargs[key] = 1
        elif kind == "SlugConverter":
            kwargs[key] = slug
        else:
            kwargs[key] = "x"
    if name:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # regex admin routes; fall back to the raw route
            return None
    if "(" in route or "<" in route or "^" in route:
        return None
    return "/" + route


class AccessPolicyTests(BaseTestCase):
    def test_it_has_a_policy_on_every_view(self) -> None:
        missing = []
        for route, name, p in all_patterns():
            if name.startswith("admin:") or route.startswith("clinic-admin/"):
                continue  # the middleware applies the clinic-admin policy to that namespace
            if policy_of(p.callback) is None:
                missing.append(f"{route} ({name})")
        assert missing == [], f"views without an access policy: {missing}"

    def test_it_allows_public_access_only_on_the_allowlist(self) -> None:
        public = {
            name
            for _, name, p in all_patterns()
            if (pol := policy_of(p.callback)) is not None and pol.level == "public"
        }
        assert public <= PUBLIC_ALLOWLIST, (
            f"public views not on the allowlist: {public - PUBLIC_ALLOWLIST}"
        )

    def test_it_refuses_anonymous_visitors_everywhere_else(self) -> None:
        checked = 0
        for route, name, p in all_patterns():
            if name in PUBLIC_ALLOWLIST:
                continue
            url = sample_url(route, p, self.clinic.slug)
            if url is None:
                continue
            for method in ("get", "post"):
                response = getattr(self.client, method)(url)
                assert response.status_code in (302, 403, 404, 405), (
                    url,
                    method,
                    response.status_code,
                )
                if response.status_code == 302:
                    assert response["Location"].startswith(reverse("accounts:login")), (
                        url,
                        response["Location"],
                    )
                checked += 1
        assert checked > 10

    def test_it_denies_undeclared_views(self) -> None:
        from django.test import RequestFactory

        from ketaclinic.access.middleware import AccessPolicyMiddleware

        def undeclared(request: object) -> None:
            raise AssertionError("must not run")

        request = RequestFactory().get("/x/")
        request.user = self.users["clinic_admin"]
        request.resolver_match = None
        middleware = AccessPolicyMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            middleware.process_view(request, undeclared, (), {})

    def test_it_changes_no_state_on_get(self) -> None:
        models = [m for m in apps.get_models() if m._meta.label_lower not in BOOKKEEPING]

        def snapshot() -> dict[str, int]:
            counts = {m._meta.label_lower: m._default_manager.count() for m in models}
            counts["audit.writes"] = (
                AuditEntry.objects.exclude(action__startswith="view")
                .exclude(action__endswith=".export")
                .count()
            )
            return counts

        for role in ("clinic_admin", "coordinator", "physician"):
            self.login(role)
            for route, name, p in all_patterns():
                if name in ("accounts:logout",):
                    continue
                url = sample_url(route, p, self.clinic.slug)
                if url is None:
                    continue
                before = snapshot()
                self.client.get(url)
                assert snapshot() == before, (role, url)
            self.client.logout()
