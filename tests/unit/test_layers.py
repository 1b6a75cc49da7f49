"""The layering rules of docs/ARCHITECTURE.md, checked on the source (no app, no database).

`lint-imports` (contracts in pyproject.toml) checks what may import what and that there are
no import cycles; the tests below check what a module-level contract cannot see."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "mkr_web"
BLUEPRINTS = ["admin", "auth", "coordinator", "expert", "organizer", "platform", "public"]
CORE = {
    "__init__",
    "access",
    "celery_app",
    "config",
    "dbapi",
    "errors",
    "extensions",
    "navigation",
}
BELOW_THE_WEB = ["models", "queries", "operations", "imports", "documents", "tasks"]
TASK_NAME = re.compile(r"^mkr\.[a-z_]+\.[a-z_]+$")


def _modules(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (APP / pkg).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from module import name`` in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def test_import_contracts_are_kept():
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_app_top_level_holds_only_the_core():
    loose = {p.stem for p in APP.glob("*.py")}
    assert loose == CORE


def test_nothing_below_the_web_reads_the_request_or_the_login():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path in _modules(*BELOW_THE_WEB)
        for module, name in _imports(path)
        if (module == "flask" and name in {"request", "session", "g"})
        or (module.startswith("flask_login") and name != "UserMixin")
    ]
    assert offenders == []


DB_CALL = re.compile(
    r"\b(sa|db|sqlalchemy)\.select\(|\bselect\(|\.execute\(|\.scalars?\(|session\.get\("
    r"|\.paginate\(|session\.(commit|rollback|refresh)\("
)


def test_blueprints_neither_query_nor_commit_themselves():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _modules(*BLUEPRINTS)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if DB_CALL.search(line)
    ]
    assert offenders == []


def test_only_the_commit_helpers_commit_in_page_code():
    committing = {
        str(path.relative_to(ROOT))
        for path in _modules("web", "cli")
        if re.search(r"session\.(commit|rollback)\(", path.read_text(encoding="utf-8"))
    }
    assert committing == {"mkr_web/web/commit.py", "mkr_web/cli/commit.py"}


def _task_names() -> list[str]:
    tree = ast.parse((APP / "tasks" / "__init__.py").read_text(encoding="utf-8"))
    return [
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "shared_task"
        for kw in node.keywords
        if kw.arg == "name"
    ]


def test_tasks_are_named_topic_verb_and_every_sent_name_exists():
    names = _task_names()
    assert sorted(names) == [
        "mkr.accreditation.expire",
        "mkr.admission.render_certificates",
        "mkr.certificates.render",
        "mkr.consents.remind",
        "mkr.deadlines.remind",
        "mkr.duplicates.find",
        "mkr.forms.forget_old_tokens",
        "mkr.health.ping",
        "mkr.jobs.fail_stuck",
        "mkr.mail.digest",
        "mkr.mail.flush",
        "mkr.mail.send",
        "mkr.mail.send_account",
        "mkr.registry.export",
        "mkr.report.refresh",
        "mkr.report.refresh_all",
        "mkr.report.render_pdf",
        "mkr.retention.propose",
    ]
    assert all(TASK_NAME.match(n) for n in names)
    sent = set()
    for path in [*_modules("operations", "web", "admin"), APP / "config.py"]:
        sent |= set(re.findall(r'"(mkr\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert sent and sent <= set(names)
