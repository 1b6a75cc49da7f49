"""Likely duplicates: the one name matcher (rapidfuzz) used by the duplicate search and the
import previews, candidate pairs within a tenant, and the admin's list of pairs.

Two records look like one person when their normalised full names are similar
(:func:`name_score` ≥ :data:`NEAR_SCORE`) and they share the birth date, or when they share
the school (organisation) with very similar names (≥ :data:`SCHOOL_SCORE`) and no two
different birth dates say otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from ..extensions import db
from ..models import DuplicatePair, Person

NEAR_SCORE = 80  # same birth date: a typo or a swapped word
SCHOOL_SCORE = 90  # same school, birth date unknown on one side or the same
SAME_BIRTH = "та же дата рождения, похожее ФИО"
SAME_SCHOOL = "та же школа, похожее ФИО"


def name_score(a: str, b: str) -> int:
    """0–100: how alike two normalised full names are. Word order is ignored; a name whose
    words are all in the other (a patronymic left out) scores 90."""
    return round(max(fuzz.token_sort_ratio(a, b), 0.9 * fuzz.token_set_ratio(a, b)))


@dataclass(frozen=True)
class Candidate:
    a: int
    b: int
    score: int
    reason: str


def _similar(key: str, others: list[str], cutoff: int) -> dict[int, int]:
    """``{index in others: name_score}`` for the names scoring at least ``cutoff`` (the loops
    run inside rapidfuzz: a school of a thousand pupils takes a fraction of a second)."""
    found: dict[int, int] = {}
    for scorer, weight in ((fuzz.token_sort_ratio, 1.0), (fuzz.token_set_ratio, 0.9)):
        for _, score, j in process.extract(
            key, others, scorer=scorer, score_cutoff=(cutoff - 0.5) / weight, limit=None
        ):
            found[j] = max(found.get(j, 0), round(score * weight))
    return {j: score for j, score in found.items() if score >= cutoff}


def _pairs_within(group: list[tuple], cutoff: int, reason: str, out: dict) -> None:
    """All pairs of ``group`` ((id, key, birth)) with a name score ≥ ``cutoff``."""
    if len(group) < 2:
        return
    keys = [g[1] for g in group]
    for i in range(len(group) - 1):
        ia, _, ba = group[i]
        for j, score in _similar(keys[i], keys[i + 1 :], cutoff).items():
            ib, _, bb = group[i + 1 + j]
            if ba is not None and bb is not None and ba != bb:
                continue  # two known, different birth dates: two persons
            a, b = min(ia, ib), max(ia, ib)
            if (a, b) not in out or out[a, b].score < score:
                out[a, b] = Candidate(a, b, score, reason)


def candidate_pairs(tenant_id: int) -> list[Candidate]:
    """Every likely duplicate pair of the tenant's (not anonymised) persons."""
    rows = db.session.execute(
        sa.select(Person.id, Person.search_name, Person.birth_on, Person.organization_id).where(
            Person.tenant_id == tenant_id, Person.is_anonymized.is_(False)
        )
    ).all()
    by_birth: dict[date, list] = defaultdict(list)
    by_school: dict[int, list] = defaultdict(list)
    for pid, key, born, org in rows:
        if born is not None:
            by_birth[born].append((pid, key, born))
        if org is not None:
            by_school[org].append((pid, key, born))
    out: dict[tuple[int, int], Candidate] = {}
    for group in by_birth.values():
        _pairs_within(group, NEAR_SCORE, SAME_BIRTH, out)
    for group in by_school.values():
        _pairs_within(group, SCHOOL_SCORE, SAME_SCHOOL, out)
    return sorted(out.values(), key=lambda c: (-c.score, c.a, c.b))


def open_pairs(tenant_id: int) -> sa.Select:
    """The admin's list: pairs not dismissed, best score first, both persons loaded."""
    return (
        sa.select(DuplicatePair)
        .options(
            sa.orm.joinedload(DuplicatePair.person_a), sa.orm.joinedload(DuplicatePair.person_b)
        )
        .where(DuplicatePair.tenant_id == tenant_id, DuplicatePair.is_dismissed.is_(False))
        .order_by(DuplicatePair.score.desc(), DuplicatePair.id)
    )


def pair_in_tenant(tenant_id: int, pair_id: int) -> DuplicatePair | None:
    return db.session.execute(
        sa.select(DuplicatePair).where(
            DuplicatePair.id == pair_id, DuplicatePair.tenant_id == tenant_id
        )
    ).scalar_one_or_none()
