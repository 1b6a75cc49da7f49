"""Every title an enum or a state machine carries in Russian is marked for translation in
``mkr_web/web/labels.py`` (the pages translate them on output)."""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil

import mkr_web.models
from mkr_web.web.labels import KNOWN
from workflows.admission import ADMISSION
from workflows.lifecycle import LIFECYCLE
from workflows.review import ACCREDITATION, ASSIGNMENT, NOMINATION

MODULES = [
    "workflows.roles",
    "workflows.review",
    "workflows.lifecycle",
    "workflows.admission",
    *(f"mkr_web.models.{m.name}" for m in pkgutil.iter_modules(mkr_web.models.__path__)),
]


def _titles() -> set[str]:
    found = set()
    for name in MODULES:
        for _n, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(cls, enum.Enum) and hasattr(cls, "title_ru"):
                for member in cls:
                    found.add(member.title_ru)
                    if hasattr(member, "title_neuter"):
                        found.add(member.title_neuter)
    for machine in (ACCREDITATION, NOMINATION, ASSIGNMENT, LIFECYCLE, ADMISSION):
        found.update(machine.action_titles.values())
    return found


def test_every_title_is_marked_for_translation():
    missing = sorted(_titles() - KNOWN)
    assert missing == [], "add to mkr_web/web/labels.py TITLES: " + ", ".join(missing)
    assert "Подано" in KNOWN and "Оператор (администратор)" in KNOWN
