"""Matching what people type to a tenant's municipalities and organisations (DOMAIN 8.5).

One normaliser for every import (persons, participants, protocols), the typed protocol and
the reference pages: case, ё/е, every kind of quote («» "" „“ ''), punctuation such as
"№" or "г.", and repeated spaces do not count (:func:`name_key`). A municipality suffix in
brackets («МБОУ «СОШ № 7» (ЗАТО Северск)») may be typed or left out: without it the name
matches when only one organisation bears it (or only one in the row's municipality). Known
aliases (former names, other spellings; a merged organisation's name) match like names.

No exact match is never a guess: the error names up to three close names (rapidfuzz).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from ..extensions import db
from ..models import Municipality, Organization

SUFFIX_RE = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")
SUGGESTIONS = 3
SUGGEST_CUTOFF = 70


def name_key(text) -> str:
    """The key names are compared by: lower case, ё as е, punctuation and quotes as spaces,
    single spaces."""
    text = re.sub(r"[^\w\s]", " ", str(text or "").lower().replace("ё", "е"))
    return " ".join(text.replace("_", " ").split())


def split_suffix(text: str) -> tuple[str, str | None]:
    """``("МБОУ «СОШ № 7»", "ЗАТО Северск")`` of ``"МБОУ «СОШ № 7» (ЗАТО Северск)"``."""
    m = SUFFIX_RE.match(" ".join(str(text or "").split()))
    return (m.group(1), m.group(2)) if m else (str(text or ""), None)


@dataclass
class Match:
    """The outcome of one lookup: the id, or why not (with close names)."""

    id: int | None = None
    suggestions: list[str] = field(default_factory=list)
    ambiguous: bool = False

    def reason(self, what: str, typed: str) -> str:
        """The row error: ``what`` is "муниципалитет" or "организация"."""
        feminine = what == "организация"
        if self.ambiguous:
            text = f"{what} «{typed}» " + ("неоднозначна" if feminine else "неоднозначен")
            if feminine:
                text += ": укажите муниципалитет в скобках"
        else:
            text = f"{what} «{typed}» не " + ("найдена" if feminine else "найден")
            text += " в справочнике"
        if self.suggestions:
            text += "; возможно: " + ", ".join(f"«{s}»" for s in self.suggestions)
        return text


class ReferenceNames:
    """A tenant's reference names, loaded once (one import, one validation)."""

    def __init__(self, tenant_id: int, *, include_retired: bool = True):
        self.municipality_names: dict[int, str] = {}
        self.organization_names: dict[int, str] = {}
        self.organization_municipality: dict[int, int | None] = {}
        self._muni: dict[str, set[int]] = {}
        self._org: dict[str, set[int]] = {}
        self._org_base: dict[str, set[int]] = {}
        munis = db.session.execute(
            sa.select(
                Municipality.id, Municipality.name, Municipality.aliases, Municipality.is_retired
            ).where(Municipality.tenant_id == tenant_id)
        ).all()
        for mid, name, aliases, retired in munis:
            if retired and not include_retired:
                continue
            self.municipality_names[mid] = name
            for text in (name, *(aliases or [])):
                self._muni.setdefault(name_key(text), set()).add(mid)
        orgs = db.session.execute(
            sa.select(
                Organization.id,
                Organization.name,
                Organization.aliases,
                Organization.municipality_id,
            ).where(Organization.tenant_id == tenant_id)
        ).all()
        for oid, name, aliases, mid in orgs:
            self.organization_names[oid] = name
            self.organization_municipality[oid] = mid
            for text in (name, *(aliases or [])):
                self._org.setdefault(name_key(text), set()).add(oid)
                self._org_base.setdefault(name_key(split_suffix(text)[0]), set()).add(oid)
        self._muni_choices = self._choices(self.municipality_names)
        self._org_choices = self._choices(self.organization_names)
        self._cache: dict[tuple, Match] = {}

    @staticmethod
    def _choices(names: dict[int, str]) -> tuple[list[str], list[str]]:
        ordered = sorted(names.values())
        return [name_key(n) for n in ordered], ordered

    def _suggest(self, key: str, choices) -> list[str]:
        keys, names = choices
        found = process.extract(
            key,
            keys,
            scorer=fuzz.WRatio,
            processor=None,
            limit=SUGGESTIONS,
            score_cutoff=SUGGEST_CUTOFF,
        )
        return [names[index] for _key, _score, index in found]

    def municipality(self, text) -> Match:
        typed = ("typed m", text)  # the same text again (a file's column): no normalising
        found = self._cache.get(typed)
        if found is None:
            key = ("m", name_key(text))
            if key not in self._cache:
                self._cache[key] = self._municipality(text)
            found = self._cache[typed] = self._cache[key]
        return found

    def _municipality(self, text) -> Match:
        ids = self._muni.get(name_key(text), set())
        if not ids:
            base, _suffix = split_suffix(text)
            ids = self._muni.get(name_key(base), set())
        if len(ids) == 1:
            return Match(next(iter(ids)))
        if ids:
            names = sorted(self.municipality_names[i] for i in ids)
            return Match(None, names[:SUGGESTIONS], ambiguous=True)
        return Match(None, self._suggest(name_key(text), self._muni_choices))

    def organization(self, text, municipality_id: int | None = None) -> Match:
        """``municipality_id`` (the row's municipality) only chooses between organisations of
        the same name; a pupil may study outside their own municipality."""
        typed = ("typed o", text, municipality_id)
        found = self._cache.get(typed)
        if found is None:
            key = ("o", name_key(text), municipality_id)
            if key not in self._cache:
                self._cache[key] = self._organization(text, municipality_id)
            found = self._cache[typed] = self._cache[key]
        return found

    def _organization(self, text, municipality_id: int | None) -> Match:
        ids = self._org.get(name_key(text), set())
        if not ids:
            base, suffix = split_suffix(text)
            if suffix is not None:
                typed_muni = self.municipality(suffix).id
                if typed_muni is not None:
                    municipality_id = typed_muni
            ids = self._org_base.get(name_key(base), set())
        if len(ids) > 1 and municipality_id is not None:
            here = {i for i in ids if self.organization_municipality[i] == municipality_id}
            ids = here or ids
        if len(ids) == 1:
            return Match(next(iter(ids)))
        if ids:
            names = sorted(self.organization_names[i] for i in ids)
            return Match(None, names[:SUGGESTIONS], ambiguous=True)
        return Match(None, self._suggest(name_key(text), self._org_choices))


def valid_names(tenant_id: int) -> tuple[list[str], list[str]]:
    """The names a template offers: active municipalities (in their order), organisations
    (by name)."""
    munis = db.session.scalars(
        sa.select(Municipality.name)
        .where(Municipality.tenant_id == tenant_id, Municipality.is_retired.is_(False))
        .order_by(Municipality.sort_order, Municipality.name)
    ).all()
    orgs = db.session.scalars(
        sa.select(Organization.name)
        .where(Organization.tenant_id == tenant_id)
        .order_by(Organization.name)
    ).all()
    return list(munis), list(orgs)
