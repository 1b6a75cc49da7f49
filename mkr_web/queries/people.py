"""Persons as the current user may see them, the registry's filters, and "status as of D".

- :func:`persons_for` is the one scope: the tenant, and for a coordinator their
  municipalities. Every page, export and card of persons loads through it.
- :class:`RegistryFilter` parses the registry's query string; :func:`registry_select` turns
  it into one SELECT (search ignores case and ё/е through ``Person.search_name``; on
  PostgreSQL a trigram GIN index serves its ``LIKE '%…%'``).
- :func:`registry_page` is one page in a cost that does not grow with the tenant: the count
  stops at :data:`COUNT_CAP` ("более 10 000"; a name search is not counted beyond its first
  page, "более 50"), numbered pages reach as far as the cap and
  further pages are reached by keyset (``after``/``before``: the sort key of the last/first
  row shown), each sort served by an index on ``(tenant_id, key…, id)``. Its rows are
  :class:`RegistryRow` s, plain columns with the municipality's and organisation's names
  joined in the same SELECT (no ORM objects: the page's Python, not its SQL, was its cost).
- :func:`statuses_as_of` is a selectable of ``(person_id, status)`` as of a date, read from
  the dated history (the latest ``PersonStatusChange`` with ``changed_on <= D``), for the
  annual report; :func:`status_counts_as_of` counts it by status.
"""

from __future__ import annotations

import base64
import functools
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from workflows.consent import ConsentPurpose
from workflows.lifecycle import PersonStatus

from ..extensions import db
from ..models import (
    ADMISSION_SORT_KEY,
    BIRTH_SORT_KEY,
    LAST_DAY,
    Achievement,
    AchievementLevel,
    AuditEntry,
    Consent,
    Event,
    EventEdition,
    Membership,
    Municipality,
    Organization,
    OrganizationKind,
    Participation,
    ParticipationRole,
    Person,
    PersonMerge,
    PersonProject,
    PersonStatusChange,
    normalize_name,
)
from ..models.base import parse_int
from .consents import expiring_person_ids, holds_clause
from .reference import municipality_ids_for, organization_choices

# A missing date sorts after every date (as PostgreSQL sorts NULL), on both databases, so a
# keyset can compare it; the same expressions are indexed (models/people.py).
SORTS = {
    "name": (Person.search_name,),
    "birth": (BIRTH_SORT_KEY, Person.search_name),
    "admission": (ADMISSION_SORT_KEY, Person.search_name),
    "status": (Person.status, Person.search_name),
    "updated": (Person.updated_at,),
}
PER_PAGE_CHOICES = (25, 50, 100, 200)
#: The registry's consent filter: consent ends within 30 days, valid consent to the transfer
#: to the federal register (that export), no valid consent to processing.
CONSENT_FILTERS = ("expiring", "transfer", "missing")
COUNT_CAP = 10_000  # the registry counts up to this, then says "более 10 000"
#: For a result read by position only (``RegistryRow(*row)``): SQLAlchemy otherwise rewrites
#: the cached statement's result columns for each new statement object of the same shape
#: (so that ``row._mapping[column]`` finds this statement's columns), ~9% of a registry page.
#: The option is SQLAlchemy's own (the ORM sets it for the same reason); were it ever
#: ignored, rows would be the same, only slower.
POSITIONAL = {"_result_disable_adapt_to_context": True}


_PERSON_ID = sa.bindparam("person_id", type_=sa.Integer)
_TENANT_ID = sa.bindparam("tenant_id", type_=sa.Integer)


def persons_for(membership: Membership) -> sa.Select:
    """``SELECT person`` limited to what ``membership`` may see."""
    q = sa.select(Person).where(Person.tenant_id == membership.tenant_id)
    ids = municipality_ids_for(membership)
    if ids is not None:
        q = q.where(Person.municipality_id.in_(ids))
    return q


def person_in_scope(membership: Membership, person_id: int) -> Person | None:
    """The person by id, if ``membership`` may see them (a lookup by the primary key: prepared
    on PostgreSQL, ``mkr_web/dbapi.py``)."""
    ids = municipality_ids_for(membership)
    params = {"tenant_id": membership.tenant_id, "person_id": person_id}
    if ids is not None:
        params["ids"] = list(ids)
    return db.session.execute(_person_statement(ids is not None), params).scalar_one_or_none()


@functools.cache
def _person_statement(by_municipality: bool) -> sa.Select:
    """:func:`person_in_scope`'s SELECT, built once per process (its joined loads cost more to
    build than the lookup costs to run); a coordinator's municipalities an expanding
    parameter."""
    q = sa.select(Person).where(Person.tenant_id == _TENANT_ID, Person.id == _PERSON_ID)
    if by_municipality:
        q = q.where(Person.municipality_id.in_(sa.bindparam("ids", expanding=True)))
    return q.options(
        joinedload(Person.municipality), joinedload(Person.organization)
    ).execution_options(mkr_prepared=True)


def _int(raw) -> int | None:
    return parse_int(raw, minimum=1)


@dataclass
class RegistryFilter:
    """The registry's filters, parsed leniently (a bad value is ignored, never a 500)."""

    q: str = ""
    statuses: list[PersonStatus] = field(default_factory=list)
    municipality_id: int | None = None
    organization_id: int | None = None
    category: OrganizationKind | None = None
    admission_year: int | None = None
    consent: str | None = None  # one of CONSENT_FILTERS
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = 50
    after: list | None = None  # keyset: the sort key of the row before this page
    before: list | None = None  # keyset: the sort key of the row after this page

    @classmethod
    def from_args(cls, args) -> RegistryFilter:
        statuses = []
        for raw in args.getlist("status"):
            try:
                statuses.append(PersonStatus(raw))
            except ValueError:
                continue
        try:
            category = OrganizationKind(args.get("category", ""))
        except ValueError:
            category = None
        year = _int(args.get("year"))
        per_page = _int(args.get("per_page")) or 50
        sort = args.get("sort", "name")
        return cls(
            q=(args.get("q") or "").strip()[:200],
            statuses=statuses,
            municipality_id=_int(args.get("municipality")),
            organization_id=_int(args.get("organization")),
            category=category,
            admission_year=year if year and 1990 <= year <= 2100 else None,
            consent=args.get("consent") if args.get("consent") in CONSENT_FILTERS else None,
            sort=sort if sort in SORTS else "name",
            desc=args.get("dir") == "desc",
            page=_int(args.get("page")) or 1,
            per_page=per_page if per_page in PER_PAGE_CHOICES else 50,
            after=_cursor(args.get("after"), sort),
            before=_cursor(args.get("before"), sort),
        )

    def args(self, **override) -> dict:
        """Query-string arguments that reproduce this filter (for links and exports)."""
        out = {
            "q": self.q or None,
            "status": [s.value for s in self.statuses] or None,
            "municipality": self.municipality_id,
            "organization": self.organization_id,
            "category": self.category.value if self.category else None,
            "year": self.admission_year,
            "consent": self.consent,
            "sort": self.sort if self.sort != "name" else None,
            "dir": "desc" if self.desc else None,
            "per_page": self.per_page if self.per_page != 50 else None,
        }
        out.update(override)
        return {k: v for k, v in out.items() if v is not None}

    def link(self, **position) -> dict:
        """:meth:`args` led by a position (``page``, ``after`` or ``before``): a pager's link."""
        return {**position, **{k: v for k, v in self.args().items() if k not in position}}

    @property
    def is_empty(self) -> bool:
        return not (
            self.q
            or self.statuses
            or self.municipality_id
            or self.organization_id
            or self.category
            or self.admission_year
            or self.consent
        )


def _cursor(raw, sort: str) -> list | None:
    """A keyset cursor from the query string; None when absent or malformed."""
    if not raw or sort not in SORTS or len(raw) > 1000:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=="))
    except ValueError:
        return None
    keys = [*SORTS[sort], Person.id]
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    out = []
    for key, value in zip(keys, values, strict=True):
        python_type = key.type.python_type
        try:
            if python_type is date:
                out.append(date.fromisoformat(value))
            elif python_type is datetime:
                out.append(datetime.fromisoformat(value))
            elif python_type is int:
                if not isinstance(value, int):
                    return None
                out.append(value)
            elif isinstance(value, str):
                out.append(value)
            else:
                return None
        except (TypeError, ValueError):
            return None
    return out


def cursor_of(person: Person | RegistryRow, sort: str) -> str:
    """The keyset cursor of ``person`` in the ``sort`` order (for ``after``/``before``)."""
    values = []
    for key in (*SORTS[sort], Person.id):
        value = sort_value(person, key)
        values.append(value.isoformat() if isinstance(value, date | datetime) else value)
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def sort_value(person: Person | RegistryRow, key):
    if key is BIRTH_SORT_KEY:
        return person.birth_on or LAST_DAY
    if key is ADMISSION_SORT_KEY:
        return person.admission_on or LAST_DAY
    value = getattr(person, key.key)
    return value.value if isinstance(value, PersonStatus) else value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(f: RegistryFilter, reverse: bool = False) -> list:
    desc = f.desc != reverse
    return [c.desc() if desc else c.asc() for c in (*SORTS[f.sort], Person.id)]


def _keyset(f: RegistryFilter, values: list, forward: bool):
    """Rows after (``forward``) or before ``values`` in the filter's order."""
    keys = sa.tuple_(*SORTS[f.sort], Person.id)
    bound = sa.tuple_(
        *(
            sa.literal(v, type_=k.type)
            for k, v in zip((*SORTS[f.sort], Person.id), values, strict=True)
        )
    )
    return keys < bound if forward == f.desc else keys > bound


@dataclass(slots=True, frozen=True)
class RegistryRow:
    """One line of the registry as plain values: the page reads columns, not ORM objects (the
    identity map, the joined loads and the instrumented attributes were ~40% of a page's
    Python). Its fields carry every sort key, so :func:`cursor_of` reads a row as a person."""

    id: int
    surname: str
    name: str
    patronymic: str | None
    birth_on: date | None
    municipality_name: str | None
    organization_name: str | None
    grade: str | None
    status: PersonStatus
    admission_on: date | None
    search_name: str
    updated_at: datetime

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


def _with_place_names(persons: sa.FromClause, before: tuple, after: tuple) -> sa.Select:
    """A SELECT from ``persons`` (the person table, or it joined to a page of ids): the
    ``before`` columns, the person's municipality's and organisation's names (outer joins:
    either may be missing), then the ``after`` columns.

    It is written on the tables (Core), not on the mapped classes: an ORM SELECT of
    columns with aliased places cost ~0.7 ms to build and ~0.1 ms to key for the statement
    cache on every registry page, more than PostgreSQL takes to run it; on the tables,
    ~0.1 ms together. Each place table is joined once, so it needs no alias."""
    p, m, o = Person.__table__.c, Municipality.__table__, Organization.__table__
    return sa.select(*before, m.c.name, o.c.name, *after).select_from(
        persons.outerjoin(m, m.c.id == p.municipality_id).outerjoin(o, o.c.id == p.organization_id)
    )


def _registry_rows(q: sa.Select, order: list, membership: Membership) -> list[RegistryRow]:
    """``q`` (a filtered SELECT of persons, limited, in ``order``) as :class:`RegistryRow` s.

    The page's ids are chosen first, by ``q`` reading the person's id alone; then the rows
    of those ids only are read, in ``order``. Read in one SELECT, PostgreSQL read every
    person the filter matched before it kept the page (a filter's 1,888 matches at 300,000
    persons: ~8 ms; ids first: ~3). A name search gains most: a substring of the name cannot
    bound an index scan, so the page walks the sort order and tests each name, and selecting
    the id only it walks the sort index without visiting the table (an index-only scan:
    every sort index holds ``search_name``): «мирон» tests ~5,600 names before its first 50
    matches, 11 ms reading each row, 2 ms from the index. An unfiltered page costs the same
    either way (~0.3 ms).

    The names of the rows' municipalities and organisations come from the tenant's kept
    names (:func:`place_names`), not from two joins per row."""
    page = q.with_only_columns(Person.id).subquery()
    p = Person.__table__.c
    rows = (
        sa.select(
            p.id,
            p.surname,
            p.name,
            p.patronymic,
            p.birth_on,
            p.municipality_id,
            p.organization_id,
            p.grade,
            p.status,
            p.admission_on,
            p.search_name,
            p.updated_at,
        )
        .select_from(Person.__table__.join(page, page.c.id == p.id))
        .order_by(*order)
    )
    result = db.session.connection().execute(rows, execution_options=POSITIONAL).all()
    munis, orgs = place_names(membership, result)
    return [
        RegistryRow(
            pid,
            surname,
            name,
            patronymic,
            birth_on,
            munis.get(muni_id),
            orgs.get(org_id),
            *rest,
        )
        for pid, surname, name, patronymic, birth_on, muni_id, org_id, *rest in result
    ]


def place_names(membership: Membership, rows=()) -> tuple[dict, dict]:
    """``{municipality id: name}`` and ``{organisation id: name}`` of the tenant, kept as the
    registry's filter lists are (:func:`_kept`: a municipality's or an organisation's id or
    name written raises the tenant's report data version). Should a row of ``rows`` (with
    ``municipality_id`` and ``organization_id`` at 5 and 6) name a place the kept names do
    not hold, the names are read again."""
    t = membership.tenant_id

    def build():
        return (
            dict(
                db.session.execute(
                    sa.select(Municipality.id, Municipality.name).where(Municipality.tenant_id == t)
                ).all()
            ),
            dict(
                db.session.execute(
                    sa.select(Organization.id, Organization.name).where(Organization.tenant_id == t)
                ).all()
            ),
        )

    munis, orgs = _kept(membership, ("place names",), build)
    for row in rows:
        if (row[5] is not None and row[5] not in munis) or (
            row[6] is not None and row[6] not in orgs
        ):
            return build()
    return munis, orgs


@dataclass
class RegistryPage:
    """One page of the registry: its rows and the links around it."""

    items: list
    total: int  # up to COUNT_CAP
    is_capped: bool  # more than COUNT_CAP persons match
    number: int | None  # the page number, None on a keyset page
    prev_args: dict | None
    next_args: dict | None
    numbers: list  # numbered pages to link: ints, None for a gap
    cap: int = COUNT_CAP


def registry_page(membership: Membership, f: RegistryFilter) -> RegistryPage:
    """One page in two queries whatever its depth: the capped count and the rows.

    A name search is one query, its rows: it is not counted beyond its first page. Its
    count would re-read the table for every candidate (a trigram index is lossy: a common
    name at 300,000 persons, ~4,000 candidates, ~5 ms, more than the page itself), while its
    first page walks the name order and stops after one page. So a search has one numbered
    page: it says how many it found when they fit on it, "более 50" when there are more,
    and its next pages go by keyset."""
    searched = bool(f.q)
    if searched:
        cap = f.per_page  # the first page's rows tell whether there are more
        total = cap + 1
    else:
        cap = COUNT_CAP
        total = _count(membership, f, cap)
    capped = total > cap
    total = min(total, cap)
    base = _filtered(membership, f).order_by(*_order(f))
    per = f.per_page

    def rows(q: sa.Select, reverse: bool = False) -> list[RegistryRow]:
        return _registry_rows(q, _order(f, reverse), membership)

    last_numbered = max(1, -(-total // per))  # numbered pages end at the cap
    if f.after is None and f.before is None:
        number = f.page
        items = []
        if number <= last_numbered:
            items = rows(base.offset((number - 1) * per).limit(per + 1))
        has_next = len(items) > per
        items = items[:per]
        prev_args = {"page": number - 1} if 1 < number <= last_numbered + 1 else None
        next_args = None
        if has_next:
            next_args = (
                {"page": number + 1}
                if number < last_numbered
                else {"after": cursor_of(items[-1], f.sort)}
            )
    elif f.after is not None:
        number = None
        items = rows(base.where(_keyset(f, f.after, True)).limit(per + 1))
        has_next = len(items) > per
        items = items[:per]
        next_args = {"after": cursor_of(items[-1], f.sort)} if has_next else None
        prev_args = {"before": cursor_of(items[0], f.sort)} if items else {"page": 1}
    else:
        number = None
        reverse = (
            _filtered(membership, f)
            .where(_keyset(f, f.before, False))
            .order_by(*_order(f, reverse=True))
            .limit(per + 1)
        )
        items = rows(reverse, reverse=True)
        has_prev = len(items) > per
        items = list(reversed(items[:per]))
        if not has_prev:  # the start of the list: the first page as numbered
            items = rows(base.limit(per + 1))
            has_next = len(items) > per
            items = items[:per]
            number = 1
            prev_args = None
            next_args = (
                ({"page": 2} if last_numbered > 1 else {"after": cursor_of(items[-1], f.sort)})
                if has_next
                else None
            )
        else:
            prev_args = {"before": cursor_of(items[0], f.sort)}
            next_args = {"after": cursor_of(items[-1], f.sort)} if items else None
    if searched and number == 1 and next_args is None:
        total, capped = len(items), False  # all it found is on this page
    numbers = _numbers(number, last_numbered) if number is not None and total > per else []
    return RegistryPage(items, total, capped, number, prev_args, next_args, numbers, cap)


def _numbers(current: int, last: int) -> list:
    """Page numbers to link: the first, two before the current, three after, the last."""
    out, previous = [], 0
    for n in range(1, last + 1):
        if n == 1 or n == last or current - 2 <= n <= current + 3:
            if n - previous > 1:
                out.append(None)
            out.append(n)
            previous = n
    return out


def deep_cursor_args(tenant_id: int, position: int, sort: str = "name") -> str:
    """The query string of a keyset page ``position`` rows down the tenant's registry (for
    the bench): ``after=<cursor of the row before it>``."""
    person = db.session.scalars(
        sa.select(Person)
        .where(Person.tenant_id == tenant_id)
        .order_by(*_order(RegistryFilter(sort=sort)))
        .offset(max(0, position - 1))
        .limit(1)
    ).first()
    return f"after={cursor_of(person, sort)}" if person else ""


def registry_select(membership: Membership, f: RegistryFilter) -> sa.Select:
    """The filtered, sorted SELECT of persons (municipality and organisation joined eagerly)."""
    return (
        _filtered(membership, f)
        .options(joinedload(Person.municipality), joinedload(Person.organization))
        .order_by(*_order(f))
    )


def _count(membership: Membership, f: RegistryFilter, cap: int) -> int:
    """The page's capped count. Filtered by the place (municipality, organisation, its
    kind), the status and the year of admission, it is kept under the tenant's report data
    version as the filter's lists are (:func:`_kept`): which persons exist, where they are
    and their status (``person.id``, ``municipality_id``, ``organization_id``, ``status``,
    ``admission_on``, ``organization.kind``) are columns whose every write raises that
    version, so the kept count is today's. The unfiltered registry, each of its sorts, its
    deep pages and its filtered pages so skip a count of up to 10,001 index entries (~1.5
    ms) while nothing changed. A search or a consent filter (consents are not among those
    rows, and "expiring" moves with the date) is counted each time."""
    if f.q or f.consent:
        return registry_count(membership, f, cap=cap)
    ids = municipality_ids_for(membership)
    scope = None if ids is None else tuple(sorted(ids))
    statuses = tuple(sorted(s.value for s in f.statuses))
    what = (
        "count",
        scope,
        f.municipality_id,
        f.organization_id,
        f.category,
        statuses,
        f.admission_year,
        cap,
    )
    return _kept(membership, what, lambda: registry_count(membership, f, cap=cap))


def registry_count(membership: Membership, f: RegistryFilter, cap: int | None = None) -> int:
    """The number of persons the filter finds; with ``cap``, counting stops past it (the
    result is then ``cap + 1``): the cost of a count is bounded, not the tenant's size."""
    q = _filtered(membership, f).with_only_columns(Person.id)
    if cap is not None:
        q = q.limit(cap + 1)
    return db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))


def export_select(membership: Membership, f: RegistryFilter) -> sa.Select:
    """The same persons as plain columns (no ORM objects): the export's rows."""
    p = Person.__table__.c
    return (
        _with_place_names(
            Person.__table__,
            (p.surname, p.name, p.patronymic, p.birth_on),
            (
                p.grade,
                p.status,
                p.status_since,
                p.admission_on,
                p.admission_basis,
                p.email,
                p.phone,
                p.parent_name,
                p.parent_phone,
                p.parent_email,
                p.social_url,
            ),
        )
        .where(_filtered(membership, f).whereclause)
        .order_by(*_order(f))
    )


def _filtered(membership: Membership, f: RegistryFilter) -> sa.Select:
    q = persons_for(membership)
    needle = normalize_name(f.q)
    if needle:
        q = q.where(Person.search_name.like(f"%{_escape_like(needle)}%", escape="\\"))
    if f.statuses:
        q = q.where(Person.status.in_(f.statuses))
    if f.municipality_id:
        q = q.where(Person.municipality_id == f.municipality_id)
    if f.organization_id:
        q = q.where(Person.organization_id == f.organization_id)
    if f.category:
        q = q.where(
            Person.organization_id.in_(
                sa.select(Organization.id).where(
                    Organization.tenant_id == membership.tenant_id, Organization.kind == f.category
                )
            )
        )
    if f.admission_year:
        q = q.where(
            Person.admission_on >= date(f.admission_year, 1, 1),
            Person.admission_on < date(f.admission_year + 1, 1, 1),
        )
    if f.consent == "expiring":
        q = q.where(Person.id.in_(expiring_person_ids(membership.tenant_id, date.today())))
    elif f.consent == "transfer":  # the federal register's export: only with that consent
        q = q.where(holds_clause(ConsentPurpose.TRANSFER, date.today()))
    elif f.consent == "missing":
        q = q.where(~holds_clause(ConsentPurpose.PROCESSING, date.today()))
    return q


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality as the registry's filter offers it."""

    id: int
    name: str


#: (tenant, its creation time, its report data version, what) → a list or count kept.
_CHOICES: OrderedDict[tuple, object] = OrderedDict()
_CHOICES_KEPT = 1024


def _kept(membership: Membership, what: tuple, build):
    """``build()`` kept per process under the tenant's report data version
    (``Tenant.data_version``, read with the session row by the user loader: no query while
    nothing changed) and ``what`` (the list and the scope); the 1,024 latest kept."""
    tenant = membership.tenant
    # the tenant's creation time too: a database emptied and filled again (the demo) numbers
    # its tenants and versions from the start, and must not find another tenant's lists
    key = (tenant.id, tenant.created_at, tenant.data_version or 0, what)
    found = _CHOICES.get(key)
    if found is None:
        found = _CHOICES[key] = build()
        while len(_CHOICES) > _CHOICES_KEPT:
            _CHOICES.popitem(last=False)
    else:
        _CHOICES.move_to_end(key)
    return found


def registry_choices(membership: Membership) -> tuple[list[Place], tuple]:
    """The registry filter's municipalities and organisations (as :func:`organizations_of_persons`)
    of the user's scope, kept per process under the tenant's report data version
    (``ReportVersion``): it goes up in the transaction of every write of a municipality or an
    organisation that changes its id, name, kind or municipality (what a filter shows and
    scopes by; ``operations.report_versions.READ_COLUMNS``), so a kept list is today's. No
    query and no rows built while nothing changed (the registry at 300,000 persons: ~1.5 ms
    of ~14 in-process)."""
    ids = municipality_ids_for(membership)

    def build():
        q = sa.select(Municipality.id, Municipality.name).where(
            Municipality.tenant_id == membership.tenant_id
        )
        if ids is not None:
            q = q.where(Municipality.id.in_(ids))
        places = [Place(*row) for row in db.session.execute(q.order_by(Municipality.sort_order))]
        return places, tuple(organizations_of_persons(membership))

    return _kept(membership, ("registry", None if ids is None else tuple(sorted(ids))), build)


def higher_education_choices(membership: Membership) -> tuple:
    """``(id, name)`` of the tenant's universities and colleges (the status form's choice of
    where a student studies), kept as :func:`registry_choices` is."""
    kinds = [OrganizationKind.UNIVERSITY, OrganizationKind.COLLEGE]
    return _kept(
        membership,
        ("higher",),
        lambda: tuple(organization_choices(membership.tenant_id, kinds)),
    )


def forget_registry_choices() -> None:
    """Drop every kept list of :func:`registry_choices` (the tests, after emptying the
    database)."""
    _CHOICES.clear()


def organizations_of_persons(membership: Membership) -> list:
    """Organisations for the registry's filter: those of the user's scope, as (id, name) rows
    (a region has hundreds: no ORM object is built for an option)."""
    q = sa.select(Organization.id, Organization.name).where(
        Organization.tenant_id == membership.tenant_id
    )
    ids = municipality_ids_for(membership)
    if ids is not None:
        q = q.where(Organization.municipality_id.in_(ids))
    return list(db.session.execute(q.order_by(Organization.name)))


class HistoryRow(NamedTuple):
    changed_on: date
    to_status: PersonStatus
    basis: str | None
    comment: str | None


class AchievementRow(NamedTuple):
    id: int
    achieved_on: date
    title: str
    level: AchievementLevel
    result: str
    is_success_story: bool


class ProjectRow(NamedTuple):
    id: int
    year: int
    title: str
    role: str
    support_kind: str


class MergeRow(NamedTuple):
    merged_at: datetime
    merged_id: int
    fields: list


class ParticipationRow(NamedTuple):
    year: int
    title: str  # the edition's own title, else its event's
    role: ParticipationRole
    place: int | None
    section: str | None


def card_lists(person: Person) -> dict[str, list]:
    """The card's read-only lists in one SELECT (a ``UNION ALL`` of five, each branch's
    order kept as its row number): the status history (oldest first), achievements and
    own projects (newest first), the records merged into this one (oldest first), the
    participations (newest edition first, then by event title). Plain rows, not ORM
    objects: five ORM queries of a few rows each were most of the card's cost."""
    out: dict[str, list] = {name: [] for name in _LIST_KINDS}
    rows = db.session.connection().execute(
        _card_lists_statement(), {"person_id": person.id, "tenant_id": person.tenant_id}
    )
    for kind, _pos, on, at, n1, n2, s1, s2, s3, s4 in rows:
        name = _LIST_KINDS[kind]
        if name == "history":
            item = HistoryRow(on, PersonStatus(s1), s2, s3)
        elif name == "achievements":
            item = AchievementRow(n2, on, s1, AchievementLevel(s2), s3, bool(n1))
        elif name == "projects":
            item = ProjectRow(n2, n1, s1, s2, s3)
        elif name == "merges":
            item = MergeRow(at, n1, json.loads(s4) if s4 else [])
        else:
            item = ParticipationRow(n1, s1 or s2, ParticipationRole(s3), n2, s4)
        out[name].append(item)
    return out


_LIST_KINDS = ("history", "achievements", "projects", "merges", "participations")


@functools.cache
def _card_lists_statement() -> sa.CompoundSelect:
    """:func:`card_lists`' SELECT, built once per process. Every branch has the same
    columns: ``kind, pos, on (date), at (timestamp), n1, n2 (integers), s1..s4 (text)``;
    the first branch's typed NULLs give the union its column types (a date read back as a
    date on SQLite too)."""

    def branch(kind, order, on=None, at=None, n1=None, n2=None, s=(), where=()):
        def typed(value, type_):
            # a NULL is CAST (PostgreSQL types a union's columns by their values); a value
            # keeps its own type in SQL (SQLite would read CAST(x AS DATE) as a number)
            return sa.cast(sa.null(), type_) if value is None else sa.type_coerce(value, type_)

        texts = [typed(v, sa.String) for v in (*s, *([None] * (4 - len(s))))]
        return sa.select(
            sa.literal(kind, sa.Integer),
            sa.func.row_number().over(order_by=order),
            typed(on, sa.Date),
            typed(at, sa.DateTime),
            typed(n1, sa.Integer),
            typed(n2, sa.Integer),
            *texts,
        ).where(*where)

    history, achievements, projects, merges, participations = range(5)
    psc, a, pp = PersonStatusChange, Achievement, PersonProject
    return (
        sa.union_all(
            branch(
                history,
                (psc.changed_on, psc.id),
                on=psc.changed_on,
                s=(psc.to_status, psc.basis, psc.comment),
                where=(psc.person_id == _PERSON_ID,),
            ),
            branch(
                achievements,
                (a.achieved_on.desc(), a.id),
                on=a.achieved_on,
                n1=sa.case((a.is_success_story, 1), else_=0),
                n2=a.id,
                s=(a.title, a.level, a.result),
                where=(a.person_id == _PERSON_ID,),
            ),
            branch(
                projects,
                (pp.year.desc(), pp.id),
                n1=pp.year,
                n2=pp.id,
                s=(pp.title, pp.role, pp.support_kind),
                where=(pp.person_id == _PERSON_ID,),
            ),
            branch(
                merges,
                (PersonMerge.merged_at, PersonMerge.id),
                at=PersonMerge.merged_at,
                n1=PersonMerge.merged_id,
                s=(None, None, None, sa.cast(PersonMerge.fields, sa.String)),
                where=(PersonMerge.survivor_id == _PERSON_ID,),
            ),
            branch(
                participations,
                (EventEdition.year.desc(), Event.title, Participation.id),
                n1=EventEdition.year,
                n2=Participation.place,
                s=(EventEdition.title, Event.title, Participation.role, Participation.section),
                where=(
                    Participation.person_id == _PERSON_ID,
                    Participation.tenant_id == _TENANT_ID,
                    EventEdition.id == Participation.edition_id,
                    Event.id == EventEdition.event_id,
                ),
            ),
        )
        .order_by(sa.literal_column("1"), sa.literal_column("2"))
        .execution_options(mkr_prepared=True)
    )


def audit_trail(person: Person, limit: int = 200) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            _card_statements()["audit"],
            {"person_id": person.id, "tenant_id": person.tenant_id, "limit": limit},
        )
    )


def statuses_as_of(tenant_id: int, on: date) -> sa.Subquery:
    """``(person_id, status)`` of every person of the tenant as of ``on`` (inclusive).

    The latest status change with ``changed_on <= on`` per person (ties broken by id), so
    any past date is answered from the history, not from ``Person.status``.
    """
    ranked = (
        sa.select(
            PersonStatusChange.person_id.label("person_id"),
            PersonStatusChange.to_status.label("status"),
            sa.func.row_number()
            .over(
                partition_by=PersonStatusChange.person_id,
                order_by=(PersonStatusChange.changed_on.desc(), PersonStatusChange.id.desc()),
            )
            .label("rn"),
        )
        .where(PersonStatusChange.tenant_id == tenant_id, PersonStatusChange.changed_on <= on)
        .subquery("ranked_status")
    )
    return (
        sa.select(ranked.c.person_id, ranked.c.status)
        .where(ranked.c.rn == 1)
        .subquery("status_as_of")
    )


def status_counts_as_of(tenant_id: int, on: date) -> dict[PersonStatus, int]:
    """Persons per status as of ``on``; every status present (zero when none)."""
    sub = statuses_as_of(tenant_id, on)
    rows = db.session.execute(sa.select(sub.c.status, sa.func.count()).group_by(sub.c.status)).all()
    counts = {s: 0 for s in PersonStatus}
    for status, n in rows:
        counts[PersonStatus(status)] = n
    return counts


def persons_by_id(tenant_id: int, ids) -> dict[int, Person]:
    """The tenant's persons among ``ids`` (falsy ids skipped), by id, in chunks of 500."""
    ordered = sorted({i for i in ids if i})
    found: dict[int, Person] = {}
    for i in range(0, len(ordered), 500):
        found.update(
            (p.id, p)
            for p in db.session.scalars(
                sa.select(Person).where(
                    Person.tenant_id == tenant_id, Person.id.in_(ordered[i : i + 500])
                )
            )
        )
    return found


def municipalities_in_scope(membership: Membership) -> list[Municipality]:
    """The municipalities the registry's filter offers (a coordinator's own only)."""
    ids = municipality_ids_for(membership)
    q = sa.select(Municipality).where(Municipality.tenant_id == membership.tenant_id)
    if ids is not None:
        q = q.where(Municipality.id.in_(ids))
    return list(db.session.scalars(q.order_by(Municipality.sort_order)))


def consent_of(person: Person, consent_id: int) -> Consent | None:
    consent = db.session.get(Consent, consent_id)
    return consent if consent is not None and consent.person_id == person.id else None


def record_of(person: Person, model, item_id: int):
    """One achievement or own project (``model``) of ``person``; None for another person's."""
    item = db.session.get(model, item_id)
    return item if item is not None and item.person_id == person.id else None


@functools.cache
def _card_statements() -> dict[str, sa.Select]:
    """The card's per-person lists, built once per process (their options and orders cost
    more to build than their few rows to read), the person a bound parameter; each a
    person's few rows, prepared on PostgreSQL (``mkr_web/dbapi.py``)."""

    def of_person(model, *order, options=()):
        return (
            sa.select(model)
            .where(model.person_id == _PERSON_ID)
            .options(*options)
            .order_by(*order)
            .execution_options(mkr_prepared=True)
        )

    return {
        "consents": of_person(Consent, Consent.given_on, options=[sa.orm.joinedload(Consent.file)]),
        "audit": sa.select(AuditEntry)
        .where(
            AuditEntry.tenant_id == _TENANT_ID,
            AuditEntry.object_type == "Person",
            AuditEntry.object_id == _PERSON_ID,
        )
        .options(joinedload(AuditEntry.user))
        .order_by(AuditEntry.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .execution_options(mkr_prepared=True),
    }


def _of_person(name: str, person: Person) -> list:
    return list(db.session.scalars(_card_statements()[name], {"person_id": person.id}))


def card_consents(person: Person) -> list[Consent]:
    """The card's consents (with their scans), oldest first: ORM objects, whose rules
    (:func:`consent_summary`) the card applies."""
    return _of_person("consents", person)


def export_rows(membership: Membership, f: RegistryFilter):
    """The registry's current filter, streamed (an inline export)."""
    return db.session.execute(export_select(membership, f).execution_options(yield_per=2000))
