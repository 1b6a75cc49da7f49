"""docs/NOTIFICATIONS.md, the registry of kinds and the matrix tests agree: every kind of the
registry (but account mails) has a row, every row names a kind that exists and a test that
exists, and every default template renders its own example without an unknown placeholder."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mkr_web.operations.notification_kinds import KINDS
from mkr_web.operations.notifications import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| [^|]+ \| `([a-z_.]+)` \| [^|]+ \| [^|]+ \| `(test_[a-z0-9_]+)` \|$")


def _rows() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "NOTIFICATIONS.md").read_text(encoding="utf-8")
    return [m.groups() for line in text.splitlines() if (m := ROW.match(line))]


def _matrix_tests() -> set[str]:
    tree = ast.parse((ROOT / "tests" / "ops" / "test_notification_matrix.py").read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_every_kind_has_a_row_and_every_row_a_kind_and_a_test():
    rows = _rows()
    assert len(rows) == 30
    documented = {kind for kind, _ in rows}
    assert documented == set(KINDS) - {"account"}
    missing = {test for _, test in rows} - _matrix_tests()
    assert missing == set()


def test_every_default_template_renders_its_example():
    for kind in KINDS.values():
        for source in (kind.subject, kind.body):
            TEMPLATES.from_string(source).render(**kind.example)  # StrictUndefined: raises
        names = set(re.findall(r"{{\s*([a-z_]+)", kind.subject + kind.body))
        assert names <= set(kind.example), kind.key
