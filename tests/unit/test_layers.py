"""Decisions and transactions stay out of views and templates.

Transactions belong to the services layer: no view, presenter or helper commits, rolls back, adds, deletes,
flushes or writes an audit line itself (style.md: "a view parses input, calls one operation in
`portal/services/` ... and renders"). A service function is one transaction (`services.transactions.operation`)
and writes its audit line with the change (`services.audit.commit`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
SERVICES = PORTAL / "services"
SESSION_WRITES = {"commit", "rollback", "add", "add_all", "delete", "flush", "merge"}


def _writes(path: Path, root: Path = PORTAL.parent) -> list[str]:
    """Return "file:line: call" for every session write or audit line in the module at `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner, name = ast.unparse(node.func.value), node.func.attr
        if (name in SESSION_WRITES and owner.endswith("session")) or (owner == "audit" and name == "record"):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {owner}.{name}()")
    return found


def test_only_services_write_to_the_database_session():
    outside = [line for path in sorted(PORTAL.rglob("*.py")) if SERVICES not in path.parents
               for line in _writes(path)]
    assert outside == []


def test_the_check_sees_a_write(tmp_path):
    view = tmp_path / "view.py"
    view.write_text("def save():\n    audit.record(user, 'x', now)\n    db.session.commit()\n"
                    "    db.session.rollback()\n    session.add(row)\n    cache.add(key)\n", encoding="utf-8")
    assert _writes(view, tmp_path) == ["view.py:2: audit.record()", "view.py:3: db.session.commit()",
                                       "view.py:4: db.session.rollback()", "view.py:5: session.add()"]


DECISIONS = re.compile(r"""\b(state|role)\s*(==|!=|in)\s*[('"]""")


def test_templates_receive_decisions_instead_of_comparing_states_and_roles():
    """A template reads flags its view or presenter decided (`flags.can_take`, `current_user.manages_office`,
    `waiting`), rather than comparing an application's, ticket's or batch's state or a user's role itself."""
    found = [f"{path.relative_to(PORTAL.parent)}:{number}: {line.strip()[:80]}"
             for path in sorted(PORTAL.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DECISIONS.search(line)]
    assert found == []
