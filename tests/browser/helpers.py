"""What several browser journeys do the same way."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.staff_helpers import PASSWORD


def sign_in(page: Page, username: str) -> None:
    """Sign in at /masuk as `username` (made by `create_staff`, password PASSWORD) and return once the page
    offers "Keluar". Raises AssertionError (Playwright's) when it never does."""
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def typed_and_refused(page: Page, typed: dict[str, str], button: str, message: str, axe) -> None:
    """Type each value of `typed` into the field with its label, press the button named `button`, and check
    that the error summary says `message`, that every field still holds what was typed, and (with `axe`) that
    the page is accessible. Raises AssertionError (Playwright's) otherwise."""
    for label, value in typed.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=button).click()
    expect(page.locator(".error-summary")).to_contain_text(message)
    for label, value in typed.items():
        expect(page.get_by_label(label)).to_have_value(value)
    axe(page)


def wider_than_the_screen(page: Page) -> list[str]:
    """Return a line for each element of the page that reaches past the right edge of the viewport — cut off on
    a phone, even where its box would scroll sideways — or [] when everything fits."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        return Array.from(document.body.querySelectorAll("*"))
            .filter(element => element.getBoundingClientRect().right > width + 0.5)
            .map(element => `<${element.localName} class="${element.className}"> ends at `
                 + `${Math.round(element.getBoundingClientRect().right)} px of ${width}: `
                 + element.textContent.trim().replace(/\\s+/g, " ").slice(0, 40));
    }""")
