"""Keys within one tenant (issue 14, item 6): a reference between tenant-owned rows is
``(x_id, tenant_id) -> (id, tenant_id)``. The code that walks the foreign keys (the reference
data's merge and "rows behind") follows the id's element only, SET NULL clears the id and
keeps the tenant, and a reference to another tenant's row is refused by the database."""

import pytest
import sqlalchemy as sa

from mkr_web.documents.storage import save_bytes
from mkr_web.extensions import db
from mkr_web.models import Membership, Municipality, Organization, OrganizationKind, Person
from mkr_web.models.users import membership_municipality
from mkr_web.operations.reference import merge_organizations, rows_behind
from tests.factories import make_person


def test_merging_organisations_moves_the_ids_and_leaves_the_tenant(factory):
    t = factory.tenant()
    # the source's id equals the tenant's: a walk that also followed the tenant_id element
    # of the composite keys would count and move every row of the tenant
    source = Organization(id=t.id, tenant_id=t.id, name="Школа А", kind=OrganizationKind.SCHOOL)
    target = Organization(id=t.id + 1, tenant_id=t.id, name="Школа Б", kind=OrganizationKind.SCHOOL)
    db.session.add_all([source, target])
    db.session.commit()
    first = make_person(t, surname="Первова", organization=source)
    make_person(t, surname="Вторая", organization=target)

    assert rows_behind(Organization, source.id) == 1
    assert merge_organizations(source, target) == {"person.organization_id": 1}
    db.session.commit()
    rows = db.session.execute(
        sa.select(
            Person.surname, Person.tenant_id == t.id, Person.organization_id == target.id
        ).order_by(Person.surname)
    ).all()
    assert [tuple(r) for r in rows] == [("Вторая", True, True), ("Первова", True, True)]
    assert db.session.get(Person, first.id).tenant_id == t.id


@pytest.mark.postgresql  # foreign keys are enforced on PostgreSQL only
def test_deleting_a_referenced_row_clears_the_id_and_keeps_the_tenant(factory):
    t = factory.tenant()
    org = factory.organization(t, "Первый район")
    person = make_person(t, organization=org)
    db.session.execute(sa.delete(Organization).where(Organization.id == org.id))
    row = db.session.execute(
        sa.select(Person.tenant_id == t.id, Person.organization_id).where(Person.id == person.id)
    ).one()
    assert tuple(row) == (True, None)


@pytest.mark.postgresql  # foreign keys are enforced on PostgreSQL only
def test_a_reference_to_another_tenants_row_is_refused(factory):
    a, b = factory.tenant(), factory.tenant()
    theirs = factory.organization(b, "Первый район")
    person = make_person(a)
    with pytest.raises(sa.exc.IntegrityError, match="fk_person_organization_id_organization"):
        db.session.execute(
            sa.update(Person)
            .where(Person.id == person.id)
            .values(organization_id=theirs.id)
            .execution_options(synchronize_session=False)
        )
    db.session.rollback()


def test_a_link_row_takes_the_tenant_of_the_rows_it_links(factory):
    """The association tables' joins follow the composite keys: appending to a ``secondary``
    collection writes the link row's ``tenant_id`` from the rows it links."""
    factory.tenant()  # another tenant first: the ids of tenant and rows differ
    t = factory.tenant(municipalities=("Первый район", "Второй район", "Третий район"))
    user = factory.user(t, role="coordinator", municipalities=["Первый район"])
    membership = user.memberships[0]
    third = next(m for m in t.municipalities if m.name == "Третий район")
    membership.municipalities.append(third)
    db.session.commit()
    rows = db.session.execute(
        sa.select(
            Municipality.name,
            membership_municipality.c.tenant_id == t.id,
            membership_municipality.c.tenant_id == Membership.tenant_id,
        )
        .join(Municipality, Municipality.id == membership_municipality.c.municipality_id)
        .join(Membership, Membership.id == membership_municipality.c.membership_id)
        .order_by(Municipality.name)
    ).all()
    assert [tuple(r) for r in rows] == [("Первый район", True, True), ("Третий район", True, True)]

    membership.municipalities.remove(third)
    db.session.commit()
    names = db.session.scalars(
        sa.select(Municipality.name)
        .join(membership_municipality)
        .where(membership_municipality.c.membership_id == membership.id)
    ).all()
    assert names == ["Первый район"]


def test_a_stored_files_path_starts_with_its_tenant(factory):
    """``stored_file.path`` is unique per tenant only (a shard checks its own rows); it stays
    unique across tenants because it starts with the tenant's id."""
    factory.tenant()
    t = factory.tenant()
    stored = save_bytes(t.id, "consent", "Согласие.PDF", b"%PDF-1.4", "application/pdf")
    tenant_part, kind, name = stored.path.split("/")
    assert (tenant_part == str(t.id), kind, len(name), name[-4:]) == (True, "consent", 36, ".pdf")
