"""Importing a tenant's reference data (issue 11) through the one import machinery:
municipalities (and other regions) and organisations. A row whose name (or one of its aliases)
matches an existing row updates it; any other row creates one. All or nothing."""

from __future__ import annotations

from ..extensions import db
from ..models import Municipality, MunicipalityKind, Organization, OrganizationKind, Tenant
from ..operations.audit import record
from ..operations.reference import (
    TakenNames,
    clean_aliases,
    create_municipality,
    retire_municipality,
    update_municipality,
)
from ..operations.tenancy import create_organization, update_organization
from ..queries.reference import municipalities_of
from ..queries.reference_names import ReferenceNames, name_key
from .base import Importer, reference_lookups
from .spec import Choice, Column, Integer, Lookup, TableSpec, Text

YES_NO = {"да": "yes", "нет": "no", "1": "yes", "0": "no"}
MUNICIPALITY_KINDS = {
    "район": MunicipalityKind.DISTRICT.value,
    "муниципальный район": MunicipalityKind.DISTRICT.value,
    "город": MunicipalityKind.CITY.value,
    "городской округ": MunicipalityKind.CITY_OKRUG.value,
    "ЗАТО": MunicipalityKind.ZATO.value,
    "другой регион": MunicipalityKind.OTHER_REGION.value,
}
MUNICIPALITY_KIND_TITLES = {
    MunicipalityKind.DISTRICT: "район",
    MunicipalityKind.CITY: "город",
    MunicipalityKind.CITY_OKRUG: "городской округ",
    MunicipalityKind.ZATO: "ЗАТО",
    MunicipalityKind.OTHER_REGION: "другой регион",
}
ORGANIZATION_KINDS = {k.title_ru: k.value for k in OrganizationKind} | {
    "школа": OrganizationKind.SCHOOL.value,
    "колледж": OrganizationKind.COLLEGE.value,
    "техникум": OrganizationKind.COLLEGE.value,
    "вуз": OrganizationKind.UNIVERSITY.value,
    "университет": OrganizationKind.UNIVERSITY.value,
}

MUNICIPALITY_SPEC = TableSpec(
    name="municipalities",
    title="Муниципалитеты",
    columns=(
        Column("name", "Название", Text(200), True, ("муниципалитет",), example="Томский район"),
        Column("kind", "Тип", Choice(MUNICIPALITY_KINDS), True, example="район"),
        Column("order", "Порядок", Integer(0, 10_000), aliases=("номер",), example="1"),
        Column(
            "aliases",
            "Другие названия",
            Text(1000),
            aliases=("синонимы", "прежние названия"),
            example="Томский р-н",
        ),
        Column(
            "retired",
            "Выведен из употребления",
            Choice(YES_NO),
            aliases=("выведен",),
            example="нет",
        ),
    ),
    max_rows=2000,
)
ORGANIZATION_SPEC = TableSpec(
    name="organizations",
    title="Организации",
    columns=(
        Column(
            "name",
            "Название",
            Text(300),
            True,
            ("организация",),
            example="МБОУ «СОШ № 1» (Томский район)",
        ),
        Column(
            "kind",
            "Тип",
            Choice(ORGANIZATION_KINDS),
            True,
            example="Общеобразовательная организация",
        ),
        Column(
            "municipality",
            "Муниципалитет",
            Lookup("municipality", "Муниципалитет"),
            aliases=("муниципальное образование", "район"),
            example="Томский район",
        ),
        Column(
            "regional",
            "Региональное подчинение",
            Choice(YES_NO),
            aliases=("региональная",),
            example="нет",
        ),
        Column(
            "aliases",
            "Другие названия",
            Text(1000),
            aliases=("синонимы", "прежние названия"),
            example="СОШ 1 Томского района",
        ),
    ),
    max_rows=20_000,
)


def _repeats(rows: list[dict]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row["errors"]:
            continue
        key = name_key(row["values"]["name"])
        if key in seen:
            row["errors"].append(["Название", f"повторяет строку {seen[key]}"])
        else:
            seen[key] = row["row"]


class MunicipalityImporter(Importer):
    spec = MUNICIPALITY_SPEC

    def annotate(self, tenant_id: int, table, rows: list[dict]) -> None:
        _repeats(rows)
        reference = ReferenceNames(tenant_id)
        for row in rows:
            if not row["errors"]:
                row["match"] = {"id": reference.municipality(row["values"]["name"]).id}

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        tenant = db.session.get(Tenant, tenant_id)
        reference = ReferenceNames(tenant_id)
        taken = TakenNames(Municipality, tenant_id)
        created = updated = 0
        for r in rows:
            v = r["values"]
            kind = MunicipalityKind(v["kind"])
            found = reference.municipality(v["name"]).id
            if found is None:
                muni = create_municipality(
                    tenant,
                    v["name"],
                    kind,
                    sort_order=v["order"],
                    aliases=v["aliases"] or (),
                    taken=taken,
                )
                created += 1
            else:
                muni = db.session.get(Municipality, found)
                aliases = list(muni.aliases or []) + clean_aliases(v["aliases"] or "")
                order = muni.sort_order if v["order"] is None else v["order"]
                update_municipality(muni, v["name"], kind, order, aliases, taken)
                updated += 1
            if v["retired"]:
                retire_municipality(muni, v["retired"] == "yes")
        record("municipality.import", None, tenant_id=tenant_id, created=created, updated=updated)
        return {"created": created, "updated": updated}


class OrganizationImporter(Importer):
    spec = ORGANIZATION_SPEC

    def lookups(self, tenant_id: int) -> dict:
        return reference_lookups(tenant_id)

    def annotate(self, tenant_id: int, table, rows: list[dict]) -> None:
        _repeats(rows)
        reference = ReferenceNames(tenant_id)
        for row in rows:
            if not row["errors"]:
                found = reference.organization(row["values"]["name"])
                row["match"] = {"id": found.id}

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        tenant = db.session.get(Tenant, tenant_id)
        reference = ReferenceNames(tenant_id)
        taken = TakenNames(Organization, tenant_id)
        created = updated = 0
        munis = {m.id: m for m in municipalities_of(tenant_id)}
        added: list[Organization] = []
        for r in rows:
            v = r["values"]
            kind = OrganizationKind(v["kind"])
            muni = munis.get(v["municipality"])
            regional = v["regional"] == "yes"
            found = reference.organization(v["name"]).id
            if found is None:
                added.append(
                    create_organization(
                        tenant,
                        v["name"],
                        kind,
                        muni,
                        is_regional_subordination=regional,
                        aliases=v["aliases"] or (),
                        taken=taken,
                        flush=False,
                    )
                )
                created += 1
            else:
                org = db.session.get(Organization, found)
                aliases = list(org.aliases or []) + clean_aliases(v["aliases"] or "")
                update_organization(
                    org,
                    v["name"],
                    kind,
                    muni,
                    is_regional_subordination=regional,
                    aliases=aliases,
                    taken=taken,
                )
                updated += 1
        db.session.flush()  # the new rows at once
        for org in added:
            record("organization.create", org, tenant_id=tenant_id, aliases=org.aliases)
        record("organization.import", None, tenant_id=tenant_id, created=created, updated=updated)
        return {"created": created, "updated": updated}
