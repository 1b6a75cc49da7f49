"""Writing a tenant's reference data (issue 11): municipalities and other regions (create,
rename, order, retire, delete only when nothing refers to them), organisations' aliases and
the merge of two organisations with every reference moved. Names are kept distinct by the
one matching key (:func:`queries.reference_names.name_key`), aliases included, so that a
typed name never matches two rows. Every change is audited."""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import OperationError
from ..extensions import db
from ..models import Municipality, MunicipalityKind, Organization, Tenant
from ..queries.reference_names import name_key
from .audit import record


def clean_aliases(aliases) -> list[str]:
    """Aliases from a list or a text with one per line (or separated by ";"), without blanks
    or repeats."""
    if isinstance(aliases, str):
        aliases = aliases.replace(";", "\n").splitlines()
    seen, out = set(), []
    for alias in aliases or []:
        alias = " ".join(str(alias).split())[:300]
        if alias and name_key(alias) not in seen:
            seen.add(name_key(alias))
            out.append(alias)
    return out


class TakenNames:
    """Which row of a tenant's municipalities or organisations answers to each matching key
    (names and aliases), loaded once: a bulk import checks every row against it and
    registers what it creates, instead of reloading the table per row."""

    def __init__(self, model, tenant_id: int):
        self.owner: dict[str, tuple[int, str]] = {}
        rows = db.session.execute(
            sa.select(model.id, model.name, model.aliases).where(model.tenant_id == tenant_id)
        ).all()
        for row_id, name, aliases in rows:
            self.take([name, *(aliases or [])], row_id, name)

    def refuse(self, names: list[str], own_id: int | None) -> None:
        for text in names:
            hit = self.owner.get(name_key(text))
            if hit is not None and hit[0] != own_id:
                raise OperationError(f"Название «{text}» уже занято: «{hit[1]}» в справочнике.")

    def take(self, names: list[str], row_id, shown: str) -> None:
        """``row_id``: the row's id, or the row itself while it has none (a bulk insert)."""
        for text in names:
            self.owner.setdefault(name_key(text), (row_id, shown))


def refuse_taken(
    model, tenant_id: int, names: list[str], own_id: int | None, taken: TakenNames | None = None
) -> None:
    """A name or alias whose key another row already answers to is refused."""
    (taken or TakenNames(model, tenant_id)).refuse(names, own_id)


def create_municipality(
    tenant: Tenant,
    name: str,
    kind: MunicipalityKind,
    *,
    sort_order: int | None = None,
    aliases=(),
    taken: TakenNames | None = None,
) -> Municipality:
    name = " ".join((name or "").split())
    if not name:
        raise OperationError("Укажите название муниципалитета.")
    aliases = clean_aliases(aliases)
    refuse_taken(Municipality, tenant.id, [name, *aliases], None, taken)
    if sort_order is None:
        sort_order = (
            db.session.scalar(
                sa.select(sa.func.max(Municipality.sort_order)).where(
                    Municipality.tenant_id == tenant.id
                )
            )
            or 0
        ) + 1
    muni = Municipality(
        tenant_id=tenant.id, name=name, kind=kind, sort_order=sort_order, aliases=aliases
    )
    db.session.add(muni)
    db.session.flush()
    if taken is not None:
        taken.take([name, *aliases], muni.id, name)
    record("municipality.create", muni, tenant_id=tenant.id, name=name, kind=kind.value)
    return muni


def guess_kind(name: str) -> MunicipalityKind:
    """The kind a municipality's usual name says (ЗАТО, г.о., г., else a district)."""
    key = name_key(name)
    if key.startswith("зато") or " зато" in key:
        return MunicipalityKind.ZATO
    if key.startswith(("г о ", "городской округ")) or key.endswith("городской округ"):
        return MunicipalityKind.CITY_OKRUG
    if key.startswith(("г ", "город ")):
        return MunicipalityKind.CITY
    return MunicipalityKind.DISTRICT


def create_municipalities(tenant: Tenant, text: str) -> list[Municipality]:
    """A new tenant's list, one name per line, in the order given (the platform page)."""
    made = []
    for line in text.splitlines():
        name = " ".join(line.split())
        if name:
            made.append(create_municipality(tenant, name, guess_kind(name)))
    return made


def update_municipality(
    muni: Municipality,
    name: str,
    kind: MunicipalityKind,
    sort_order: int,
    aliases=(),
    taken: TakenNames | None = None,
) -> Municipality:
    """Rename (the former name stays as an alias, so old files still match), change the kind
    or the place in the list."""
    name = " ".join((name or "").split())
    if not name:
        raise OperationError("Укажите название муниципалитета.")
    aliases = clean_aliases(aliases)
    old = muni.name
    if name_key(old) != name_key(name) and name_key(old) not in {name_key(a) for a in aliases}:
        aliases.append(old)
    aliases = [a for a in aliases if name_key(a) != name_key(name)]
    refuse_taken(Municipality, muni.tenant_id, [name, *aliases], muni.id, taken)
    muni.name, muni.kind, muni.sort_order, muni.aliases = name, kind, sort_order, aliases
    if taken is not None:
        taken.take([name, *aliases], muni.id, name)
    db.session.flush()
    record("municipality.update", muni, old_name=old, name=name, kind=kind.value, order=sort_order)
    return muni


def retire_municipality(muni: Municipality, retired: bool) -> Municipality:
    if muni.is_retired == retired:
        return muni
    muni.is_retired = retired
    db.session.flush()
    record("municipality.retire" if retired else "municipality.restore", muni, name=muni.name)
    return muni


def rows_behind(model, row_id: int) -> int:
    """How many rows of any table refer to the ``model`` row ``row_id``."""
    total = 0
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            # the id's element of a key; (x_id, tenant_id) -> (id, tenant_id) also holds one
            # for tenant_id, which says nothing about this row
            if fk.column is model.__table__.c.id:
                total += db.session.scalar(
                    sa.select(sa.func.count()).select_from(table).where(fk.parent == row_id)
                )
    return total


def delete_municipality(muni: Municipality) -> None:
    """Only a municipality nothing refers to (a mistake just made); else retire it."""
    behind = rows_behind(Municipality, muni.id)
    if behind:
        raise OperationError(
            f"На муниципалитет «{muni.name}» ссылаются записи ({behind}): удалить нельзя, "
            "его можно вывести из употребления."
        )
    record("municipality.delete", muni, name=muni.name)
    db.session.delete(muni)
    db.session.flush()


def set_organization_aliases(
    org: Organization, aliases, taken: TakenNames | None = None
) -> Organization:
    aliases = [a for a in clean_aliases(aliases) if name_key(a) != name_key(org.name)]
    refuse_taken(Organization, org.tenant_id, aliases, org.id, taken)
    if taken is not None:
        taken.take([org.name, *aliases], org.id, org.name)
    if aliases != list(org.aliases or []):
        org.aliases = aliases
        db.session.flush()
        record("organization.aliases", org, aliases=aliases)
    return org


def merge_organizations(source: Organization, target: Organization) -> dict[str, int]:
    """Move every reference of ``source`` to ``target``, keep ``source``'s name and aliases
    as ``target``'s aliases, delete ``source``. Link rows that ``target`` already has (a
    partnership, an event partner) are dropped, not doubled. Returns moved rows per table."""
    if source.id == target.id:
        raise OperationError("Выберите другую организацию.")
    if source.tenant_id != target.tenant_id:
        raise OperationError("Организация другого проекта.")
    moved: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column is not Organization.__table__.c.id:
                continue  # another table's key, or the tenant_id element of a composite key
            col = fk.parent
            _drop_clashing_links(table, col, source.id, target.id)
            result = db.session.execute(
                sa.update(table).where(col == source.id).values({col.name: target.id})
            )
            if result.rowcount:
                moved[f"{table.name}.{col.name}"] = result.rowcount
    db.session.expire_all()  # loaded rows still name the source
    aliases = list(target.aliases or []) + [source.name, *(source.aliases or [])]
    record(
        "organization.merge",
        target,
        source_id=source.id,
        source_name=source.name,
        target_name=target.name,
        moved=moved,
    )
    db.session.delete(source)
    db.session.flush()
    target.aliases = [a for a in clean_aliases(aliases) if name_key(a) != name_key(target.name)]
    db.session.flush()
    return moved


def _drop_clashing_links(table, col, source_id: int, target_id: int) -> None:
    """Delete ``source``'s rows that would repeat a row ``target`` has under a unique key."""
    keys = [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    if table.primary_key is not None:
        keys.append(table.primary_key)
    for key in keys:
        cols = list(key.columns)
        if col not in cols or len(cols) < 2:
            continue
        others = [c for c in cols if c is not col]
        other = table.alias("other")
        clash = sa.exists().where(
            other.c[col.name] == target_id, *[other.c[c.name] == c for c in others]
        )
        db.session.execute(sa.delete(table).where(col == source_id, clash))
