"""axe-core (npm, pinned in ``tests/e2e/axe/package-lock.json``) for the accessibility tests.

The package is installed with ``npm ci`` the first time (or when the lock file changed), like
the single sign-on tests' provider (``tests/oidc/provider.py``); ``node_modules`` is never
committed. A missing ``npm`` fails the tests, naming what to install.
"""

from __future__ import annotations

from pathlib import Path

from tests.npm import npm_ci

HERE = Path(__file__).resolve().parent / "axe"
SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
#: The impacts the pages must not have (axe also reports "minor" and "moderate").
BLOCKING = ("serious", "critical")


class AxeUnavailable(RuntimeError):
    pass


def install() -> Path:
    """``npm ci`` when node_modules is missing or older than package-lock.json; the script."""
    npm_ci(HERE, "the accessibility tests", AxeUnavailable)
    if not SCRIPT.exists():
        raise AxeUnavailable(f"npm ci left no {SCRIPT.name} in {HERE}")
    return SCRIPT


RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => BLOCKING.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' ') +
                  (n.any.length ? ' — ' + n.any[0].message : ''))}));
}""".replace("BLOCKING", str(list(BLOCKING)))


def blocking_violations(page) -> list[str]:
    """axe's serious and critical violations on the page, one line each (rule, help, nodes)."""
    return [
        f"{v['impact']} {v['id']} ({v['help']}): " + " | ".join(v["targets"])
        for v in page.evaluate(RUN)
    ]
