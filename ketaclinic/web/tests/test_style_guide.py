"""The style guide page: open to every signed-in, two-factor verified person; shows each
component with its states; sorts only by whitelisted columns; its example form posts nothing."""

from __future__ import annotations

import re

from django.urls import reverse

from ketaclinic.accounts.models import Role, User
from ketaclinic.testing import BaseTestCase, make_user

URL = reverse("web:style_guide")


def rows_in_order(content: str) -> list[str]:
    return re.findall(r'<td data-label="Patient">([A-Za-z ]+)</td>', content)[:5]


class StyleGuideTests(BaseTestCase):
    def test_it_renders_for_every_role_and_the_other_clinics_admin(self) -> None:
        everyone: list[str | User] = [r.value for r in Role]
        for who in [*everyone, self.outsider]:
            self.login(who)
            response = self.client.get(URL)
            assert response.status_code == 200, who
            self.client.logout()

    def test_it_renders_for_an_account_without_a_clinic(self) -> None:
        self.login(make_user("loner@example.org", "Lone User", None, None))
        assert self.client.get(URL).status_code == 200

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_it_asks_for_the_second_factor_after_the_password(self) -> None:
        self.client.force_login(self.users["nurse"])
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:two_factor")

    def test_it_shows_every_component_and_state(self) -> None:
        self.login("nurse")
        content = self.client.get(URL).content.decode()
        for tone in ("neutral", "info", "success", "warning", "danger"):
            assert f'class="badge badge--{tone}"' in content
            assert f'class="alert alert--{tone}"' in content
        # Fields: hint wired to the input, "(required)", and the error state.
        assert 'id="id_name_helptext"' in content
        assert 'aria-describedby="id_name_helptext"' in content
        assert "(required)" in content
        assert 'aria-describedby="err_email_helptext err_email_error"' in content
        assert 'id="err_email_error"' in content and 'aria-invalid="true"' in content
        assert 'value="not-an-address"' in content  # what was typed is kept
        # The error summary links to each field (a radio group: its first option).
        assert 'class="error-summary"' in content
        assert 'href="#err_name"' in content and 'href="#err_contact_0"' in content
        assert "The clinic is closed on the day you chose." in content
        # Summary list: a zero is a value, an empty value says so.
        assert "<dd>0</dd>" in content and "Not given" in content
        for piece in (
            'class="table table--sticky',
            'aria-sort="ascending"',
            'class="empty-state"',
            'class="toast"',
            '<dialog class="dialog"',
            'aria-current="step"',
            'class="page-header"',
            'class="page-actions"',
            'class="context-bar"',
            'class="button button--danger"',
            'class="task-list"',
        ):
            assert piece in content, piece
        assert "style=" not in content  # CSP: no inline style

    def test_it_sorts_by_whitelisted_columns_only(self) -> None:
        self.login("nurse")
        by_due = self.client.get(URL).content.decode()
        assert rows_in_order(by_due)[0] == "Blake Sample"  # 08:45, the default sort
        by_chair_desc = self.client.get(URL, {"sort": "-chair"}).content.decode()
        assert rows_in_order(by_chair_desc)[0] == "Emery Test"  # chair 5
        assert re.search(
            r'<th scope="col" aria-sort="descending">\s*<a class="sort-header" '
            r'href="\?sort=chair"',
            by_chair_desc,
        )
        # An unknown column (or a field name) falls back to the default.
        sneaky = self.client.get(URL, {"sort": "password"}).content.decode()
        assert rows_in_order(sneaky) == rows_in_order(by_due)

    def test_confirming_the_example_shows_a_toast_and_changes_nothing(self) -> None:
        self.login("nurse")
        response = self.client.post(URL, {"confirmed": "1"}, follow=True)
        self.assertContains(response, "Confirmed. (Example only: nothing was changed.)")
        self.assertContains(response, 'role="status"')
        response = self.client.post(URL, {}, follow=True)
        self.assertContains(response, "Sent without the dialog.")

    def test_posting_needs_a_verified_session(self) -> None:
        response = self.client.post(URL, {"confirmed": "1"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
