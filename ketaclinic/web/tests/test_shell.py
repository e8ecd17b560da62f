"""The workspace shell: navigation shows only what the role may open, the current page is
marked, the clinic switcher appears with more than one clinic, public pages get no staff
navigation, and links to pages that do not exist yet are left out."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.testing import BaseTestCase
from ketaclinic.web import context_processors
from ketaclinic.web.context_processors import url_or_none

HOME = reverse("web:home")


def nav_links(content: str) -> str:
    start = content.index('id="workspace-nav"')
    return content[start : content.index("</nav>", start)]


class NavigationTests(BaseTestCase):
    def test_each_role_sees_only_what_it_may_open(self) -> None:
        inquiries, audit = reverse("inquiries:list"), reverse("audit:report")
        board, chairs = reverse("scheduling:board"), reverse("scheduling:setup")
        for role in Role:
            self.login(role.value)
            nav = nav_links(self.client.get(HOME).content.decode())
            assert f'href="{HOME}"' in nav and reverse("accounts:security") in nav, role
            may_open_inquiries = role in context_processors.INQUIRY_ROLES
            assert (f'href="{inquiries}"' in nav) == may_open_inquiries, role
            assert (f'href="{audit}"' in nav) == (role == Role.CLINIC_ADMIN), role
            assert (f'href="{board}"' in nav) == (role in context_processors.BOARD_ROLES), role
            assert (f'href="{chairs}"' in nav) == (role == Role.CLINIC_ADMIN), role
            # The Django admin is the operator's: no clinic role is sent to a page it refuses.
            assert reverse("admin:index") not in nav, role
            # Every link shown opens for this role.
            for url in (inquiries, audit, board, chairs):
                if f'href="{url}"' in nav:
                    assert self.client.get(url).status_code == 200, (role, url)
            self.client.logout()

    def test_only_the_site_operator_is_shown_the_django_admin(self) -> None:
        operator = self.users[Role.CLINIC_ADMIN]
        operator.is_superuser = True
        operator.save(update_fields=["is_superuser"])
        self.login(operator)
        nav = nav_links(self.client.get(HOME).content.decode())
        assert reverse("admin:index") in nav
        assert self.client.get(reverse("admin:index")).status_code == 200

    def test_it_names_the_person_role_and_clinic_and_offers_sign_out(self) -> None:
        self.login("physician")
        nav = nav_links(self.client.get(HOME).content.decode())
        assert "Physician" in nav and "Sturges Family Practice" in nav
        assert f'action="{reverse("accounts:logout")}"' in nav
        assert "Sign out</button>" in nav

    def test_it_marks_the_current_section(self) -> None:
        self.login("nurse")
        nav = nav_links(self.client.get(reverse("accounts:sessions")).content.decode())
        assert f'href="{reverse("accounts:security")}" aria-current="page">My account' in nav
        assert f'href="{HOME}" aria-current' not in nav

    def test_the_clinic_switcher_needs_two_clinics(self) -> None:
        user = self.login("physician")
        assert 'id="nav-clinic-switch"' not in self.client.get(HOME).content.decode()
        Membership.objects.create(user=user, clinic=self.other, role=Role.NURSE)
        nav = nav_links(self.client.get(HOME).content.decode())
        assert f'action="{reverse("web:switch_clinic")}"' in nav
        # Without a choice in the session the first clinic by name is current (the middleware).
        assert f'<option value="{self.other.pk}" selected>Other Clinic (Nurse)</option>' in nav
        assert f'<option value="{self.clinic.pk}">Sturges Family Practice (Physician)' in nav

    def test_later_pages_are_linked_once_their_url_exists(self) -> None:
        later = {
            "clinics:settings": "/clinic/settings/",
            "accounts:staff_list": "/accounts/staff/",
            "accounts:logout_everywhere": "/accounts/logout/everywhere/",
        }

        def fake(name: str) -> str | None:
            return later.get(name) or url_or_none(name)

        with mock.patch.object(context_processors, "url_or_none", fake):
            self.login("clinic_admin")
            nav = nav_links(self.client.get(HOME).content.decode())
            assert 'href="/clinic/settings/">Clinic settings' in nav
            assert 'href="/accounts/staff/">Staff' in nav
            assert 'action="/accounts/logout/everywhere/"' in nav
            self.login("nurse")
            nav = nav_links(self.client.get(HOME).content.decode())
            assert "/clinic/settings/" not in nav and "/accounts/staff/" not in nav
            assert 'action="/accounts/logout/everywhere/"' in nav  # everyone may

    def test_unknown_url_names_are_left_out(self) -> None:
        assert url_or_none("clinics:no_such_page") is None
        assert url_or_none("web:home") == HOME

    def test_public_pages_get_no_staff_navigation(self) -> None:
        self.login("coordinator")
        for url in (
            reverse("inquiries:public_page", args=[self.clinic.slug]),
            reverse("inquiries:form", args=[self.clinic.slug]),
        ):
            content = self.client.get(url).content.decode()
            assert 'id="workspace-nav"' not in content, url
            assert f'href="{reverse("inquiries:list")}"' not in content, url

    def test_signed_out_pages_get_no_staff_navigation(self) -> None:
        content = self.client.get(reverse("accounts:login")).content.decode()
        assert 'id="workspace-nav"' not in content
        assert '<main id="main"' in content and 'class="skip-link" href="#main"' in content

    def test_htmx_is_loaded_deferred_without_its_inline_style(self) -> None:
        self.login("nurse")
        content = self.client.get(HOME).content.decode()
        assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in content
        assert '"includeIndicatorStyles": false' in content
        assert self.client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
