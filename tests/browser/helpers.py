"""What several browser journeys do the same way."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.staff_helpers import PASSWORD


def watch_console(page: Page) -> Page:
    """Collect in `page.console_errors` the `(text, url)` of every console error (CSP violations included) and
    uncaught error of `page`; return `page`."""
    errors: list[tuple[str, str]] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append((message.text, message.location.get("url", "")))

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append((f"uncaught {error.name}: {error.message}", "")))
    page.console_errors = errors
    return page


def assert_no_console_errors(page: Page, allowed: tuple[tuple[int, str], ...] = ()) -> None:
    """Fail on any console error or uncaught error of a `watch_console` page, except the browser's own line
    for each `(status, path)`.

    Chromium logs "Failed to load resource: … status of 422" for a document served with an error status;
    each allowed pair must have been logged exactly once (so provoking the error is part of the test). For a
    request htmx made, htmx's own line about it ("Response Status Error Code 503 from <path>") goes too.
    """
    remaining = list(page.console_errors)
    for status, path in allowed:
        prefix = f"Failed to load resource: the server responded with a status of {status} "
        matches = [e for e in remaining if e[0].startswith(prefix) and e[1].split("?")[0].endswith(path)]
        assert len(matches) == 1, f"expected one {status} for {path}, got {matches} among {remaining}"
        remaining.remove(matches[0])
        htmx_line = f"Response Status Error Code {status} from {path},"
        remaining = [e for e in remaining if not e[0].startswith(htmx_line)]
    assert remaining == [], "\n".join(f"{text} ({url})" for text, url in remaining)


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
