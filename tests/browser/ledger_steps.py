"""Browser steps of the "Controlled substance" panel of the infusion session screen
(ketaclinic/ledger/templates/ledger/panel.html), shared by the browser tests that take a
session through its ketamine: draw from a vial, record what was administered, waste the rest
before a witness.

Each step works on the page showing the session screen, opens its fold of the panel when it
is closed, fills the form and submits it; the ``*_refused`` forms expect the error instead.
Amounts are mg as typed (strings, so "50" stays what the nurse types)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

DEFAULT_WASTE_METHOD = "Into the pharmaceutical waste container"


def ledger_panel(page: Page) -> Locator:
    return page.locator("section#ledger")


def _fold(page: Page, summary: str) -> Locator:
    """The panel's <details> whose summary is ``summary``, opened."""
    fold = ledger_panel(page).locator("details", has=page.locator("summary", has_text=summary))
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
    return fold


def _expect_recorded(page: Page, message: str) -> None:
    """The success toast, or a failure that quotes the panel's refusal."""
    page.wait_for_load_state()
    refusal = ledger_panel(page).locator(".error-summary")
    if refusal.count():
        raise AssertionError(f"refused ({message!r} expected): {refusal.first.inner_text()}")
    expect(page.locator(".toast").first).to_contain_text(message)


def _choose_vial(form: Locator, vial: str | None) -> None:
    """Choose the vial labelled ``vial`` in the form (None: leave what it preselects)."""
    if vial is None:
        return
    select = form.get_by_label("Vial")
    value = select.locator("option", has_text=vial).first.get_attribute("value")
    assert value, f"vial {vial} is not offered"
    select.select_option(value)


def suggested_vial(page: Page) -> str:
    """The label of the vial the panel suggests (the first-expiring one), as the draw form
    offers it preselected."""
    form = _fold(page, "Draw from a vial")
    chosen = form.get_by_label("Vial").locator("option:checked")
    text = chosen.inner_text()
    assert text.strip(), "the draw form preselects no vial"
    return text.split(" ")[0]


def draw(page: Page, mg: str | None = None, *, vial: str | None = None) -> None:
    """Draw ``mg`` (default: the prefilled prepared mg) from ``vial`` (a label such as
    "K10S-001"; default: the suggested first-expiring vial); waits for the draw in the table."""
    form = _fold(page, "Draw from a vial")
    _choose_vial(form, vial)
    if mg is not None:
        form.get_by_label("Drawn (mg)").fill(mg)
    form.get_by_role("button", name="Record the draw").click()
    _expect_recorded(page, "Draw recorded.")
    expect(ledger_panel(page).locator(".table")).to_contain_text("Draw")


def record_administered(page: Page, mg: str | None = None, *, vial: str | None = None) -> str:
    """Record what was given (default: the prefilled delivered mg as charted) from ``vial``
    (default: the one drawn from, preselected); returns the mg recorded, as the field held it."""
    form = _fold(page, "Record what was administered")
    _choose_vial(form, vial)
    field = form.get_by_label("Amount (mg)")
    if mg is not None:
        field.fill(mg)
    given = field.input_value()
    assert given, "the administered amount is neither prefilled nor given"
    form.get_by_role("button", name="Record administered").click()
    _expect_recorded(page, "Administered amount recorded.")
    return given


def submit_waste(
    page: Page,
    mg: str,
    *,
    witness_email: str,
    witness_password: str,
    witness_code: str,
    method: str | None = None,
    vial: str | None = None,
) -> None:
    """Fill the waste form (mg, method, the witness's email, password and current
    authenticator code, typed by the witness on this screen; the vial drawn from unless
    ``vial``) and submit it; no check."""
    form = _fold(page, "Waste the remainder")
    _choose_vial(form, vial)
    form.get_by_label("Amount (mg)").fill(mg)
    if method is not None:
        form.get_by_label("Method").fill(method)
    form.get_by_label("Witness: email").fill(witness_email)
    form.get_by_label("Witness: password").fill(witness_password)
    form.get_by_label("Witness: authenticator code").fill(witness_code)
    form.get_by_role("button", name="Record the waste").click()


def waste_with_witness(
    page: Page,
    mg: str,
    *,
    witness_email: str,
    witness_password: str,
    witness_code: str,
    method: str | None = None,
    vial: str | None = None,
) -> None:
    """Waste ``mg`` before the witness, expecting it recorded."""
    submit_waste(
        page,
        mg,
        witness_email=witness_email,
        witness_password=witness_password,
        witness_code=witness_code,
        method=method,
        vial=vial,
    )
    _expect_recorded(page, "Waste recorded with its witness.")


def waste_refused(page: Page, field_label: str, message: str) -> None:
    """After :func:`submit_waste`: the waste was not recorded and ``message`` shows at the
    field labelled ``field_label`` (what was typed kept)."""
    form = _fold(page, "Waste the remainder")
    expect(form.locator(".error-summary")).to_contain_text("The waste was not recorded")
    field = form.get_by_label(field_label)
    expect(field).to_have_attribute("aria-invalid", "true")
    error = field.get_attribute("aria-describedby") or ""
    ids = [i for i in error.split() if i.endswith("_error")]
    assert ids, f"no error is tied to {field_label!r}"
    expect(page.locator(f"#{ids[0]}")).to_contain_text(message)
