"""The component partials render what the design-system contract promises (one id scheme for
hints and errors, aria wiring, sort headers, summary values, confirm dialogs)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory, SimpleTestCase

from ketaclinic.web.sorting import pick_sort


class Example(forms.Form):
    email = forms.EmailField(label="Email", help_text="For the letter.")
    code = forms.CharField(label="Code")
    note = forms.CharField(label="Note", required=False)
    when = forms.ChoiceField(
        label="When", choices=[("am", "Morning"), ("pm", "Afternoon")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="I agree")


class OldIds(Example):
    """A form that set its own (older) describedby ids on the widgets, like accounts did."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["aria-describedby"] = "id_email_help"


def render(template: str, **context: Any) -> str:
    return render_to_string(f"components/{template}", context)


class FieldTests(SimpleTestCase):
    def test_hint_and_required_mark(self) -> None:
        html = render("field.html", field=Example()["email"])
        assert (
            '<label for="id_email">Email <span class="field__required req">(required)</span>'
            in html
        )
        assert 'id="id_email_helptext"' in html
        assert 'aria-describedby="id_email_helptext"' in html
        assert "aria-invalid" not in html

    def test_error_at_the_field_tied_to_the_input(self) -> None:
        form = Example(data={"email": "nope", "note": "kept"})
        assert not form.is_valid()
        html = render("field.html", field=form["email"])
        assert '<ul class="errorlist" id="id_email_error">' in html
        assert 'aria-describedby="id_email_helptext id_email_error"' in html
        assert 'aria-invalid="true"' in html and 'value="nope"' in html
        assert 'class="field field--error"' in html
        no_hint = render("field.html", field=form["code"])
        assert 'aria-describedby="id_code_error"' in no_hint

    def test_the_partial_overrides_a_forms_own_ids(self) -> None:
        html = render("field.html", field=OldIds()["email"])
        assert 'id_email_help"' not in html
        assert 'aria-describedby="id_email_helptext"' in html

    def test_optional_marks_and_no_marks(self) -> None:
        form = Example()
        assert "(optional)" in render("field.html", field=form["note"], optional_mark=True)
        assert "(required)" not in render("field.html", field=form["code"], optional_mark=True)
        assert "(required)" not in render("field.html", field=form["code"], hide_mark=True)

    def test_a_group_is_a_fieldset_described_by_its_error(self) -> None:
        form = Example(data={"when": "midnight"})
        form.is_valid()
        html = render("field.html", field=form["when"])
        assert (
            '<fieldset class="field field--group field--error" aria-describedby="id_when_error">'
            in html
        )
        assert '<legend class="field__label">When' in html
        assert 'id="id_when_0"' in html and "Morning</label>" in html

    def test_a_checkbox_has_its_label_after_the_box(self) -> None:
        form = Example(data={})
        form.is_valid()
        html = render("field.html", field=form["agree"])
        assert 'aria-describedby="id_agree_error"' in html
        assert '<label for="id_agree">I agree' in html

    def test_the_label_and_hint_can_be_replaced(self) -> None:
        html = render(
            "field.html", field=Example()["code"], field_label="Your code", field_hint="Six digits."
        )
        assert ">Your code <span" in html and "Six digits." in html
        assert 'aria-describedby="id_code_helptext"' in html


class SummaryTests(SimpleTestCase):
    def test_error_summary_links_every_error_and_lists_form_errors(self) -> None:
        form = Example(data={"email": "nope", "when": "x"})
        form.is_valid()
        form.add_error(None, "Closed that day.")
        html = render("error_summary.html", form=form)
        assert (
            'class="error-summary" role="alert" tabindex="-1"' in html and "data-autofocus" in html
        )
        assert "There is a problem" in html and "<li>Closed that day.</li>" in html
        for anchor in ("#id_email", "#id_code", "#id_when_0", "#id_agree"):
            assert f'href="{anchor}"' in html, anchor
        assert render("error_summary.html", form=Example()).strip() == ""
        assert "Closed that day." in render("form_errors.html", form=form)
        assert render("form_errors.html", form=Example(data={"email": "x"})).strip() == ""

    def test_summary_list_keeps_zero_and_says_when_empty(self) -> None:
        html = render(
            "summary_list.html", rows=[("Doses", 0), ("Allergies", ""), ("Name", "Ana", "/c/")]
        )
        assert "<dd>0</dd>" in html
        assert "Not given" in html
        assert '<a href="/c/">Change<span class="visually-hidden"> name</span></a>' in html


class SortHeaderTests(SimpleTestCase):
    def header(self, current: str, query: str = "") -> str:
        return render(
            "sort_header.html", column="name", label="Name", current_sort=current, sort_query=query
        )

    def test_it_says_which_way_and_links_to_the_other(self) -> None:
        assert 'aria-sort="none"' in self.header("due") and 'href="?sort=name"' in self.header(
            "due"
        )
        asc = self.header("name")
        assert 'aria-sort="ascending"' in asc and 'href="?sort=-name"' in asc
        desc = self.header("-name", query="status=new")
        assert 'aria-sort="descending"' in desc and 'href="?status=new&amp;sort=name"' in desc
        assert desc.strip().startswith('<th scope="col"')


class ConfirmButtonTests(SimpleTestCase):
    def test_the_dialog_confirms_and_the_button_alone_does_not(self) -> None:
        request = RequestFactory().get("/")
        html = render_to_string(
            "components/confirm_button.html",
            {
                "action_url": "/things/7/void/",
                "label": "Void",
                "message": "Cannot be undone.",
                "tone": "danger",
            },
            request=request,
        )
        assert '<form method="post" action="/things/7/void/" class="confirm-form">' in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert 'data-confirm-open="confirm-things7void"' in html
        assert '<dialog class="dialog" id="confirm-things7void"' in html
        assert 'name="confirmed" value="1" class="button button--danger"' in html
        opener = html[html.index("data-confirm-open") - 60 : html.index("<dialog")]
        assert "confirmed" not in opener  # without script the view sees no confirmation


class PickSortTests(SimpleTestCase):
    SORTS = {"received": ("received_at", "pk"), "name": ("name", "-pk")}

    def test_it_takes_a_whitelisted_column_either_way(self) -> None:
        assert pick_sort("name", self.SORTS, "-received").order_by == ("name", "-pk")
        down = pick_sort("-name", self.SORTS, "-received")
        assert down.order_by == ("-name", "pk") and down.descending and down.column == "name"

    def test_it_falls_back_to_the_default_for_anything_else(self) -> None:
        for bad in (None, "", "password", "-user__password", "--name"):
            sort = pick_sort(bad, self.SORTS, "-received")
            assert sort.key == "-received" and sort.order_by == ("-received_at", "-pk"), bad

    def test_a_default_outside_the_whitelist_is_a_mistake(self) -> None:
        with pytest.raises(ValueError, match="default sort"):
            pick_sort(None, self.SORTS, "secret")
