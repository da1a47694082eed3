"""The HTML check itself: the Nu validator service finds what its command line finds."""

from __future__ import annotations

import pytest

from tests.web.html_helpers import nu_validate

VALID = '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Loket</title></head><body><p>Halo</p></body></html>'


def test_a_valid_page_passes_and_is_kept_for_reading(tmp_path):
    nu_validate(tmp_path, {"baik": VALID})
    assert (tmp_path / "baik.html").read_text(encoding="utf-8") == VALID


def test_warnings_alone_pass_as_with_html5validators_default(tmp_path):
    nu_validate(tmp_path, {"peringatan": VALID.replace("<p>Halo</p>", "<section><p>Halo</p></section>")})


@pytest.mark.parametrize("page, found", [
    (VALID.replace("<p>Halo</p>", '<p><div>Halo</div></p>'), "error: No “p” element in scope"),
    (VALID.replace("<title>Loket</title>", ""), "error: Element “head” is missing a required instance of child element “title”"),
    (VALID.replace('<p>Halo</p>', '<p id="a">Halo</p><p id="a">lagi</p>'), "error: Duplicate ID “a”"),
], ids=["nesting", "missing-title", "duplicate-id"])
def test_errors_and_warnings_fail_with_file_line_and_message(tmp_path, page, found):
    with pytest.raises(AssertionError) as failure:
        nu_validate(tmp_path, {"buruk": page})
    assert f"{tmp_path / 'buruk.html'}:1." in str(failure.value) and found in str(failure.value)
