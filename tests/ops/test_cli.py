"""The `flask mkr` commands."""

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import Membership, Municipality, Organization, Tenant, User


def run(app, *args):
    return app.test_cli_runner().invoke(args=["mkr", *args])


def create_user(app, email, role, *more, tenant="novosib", password="long-enough-1"):
    """``flask mkr create-user`` (``tenant=None``: a platform account); ``more``: its other
    options."""
    where = ("--tenant", tenant) if tenant else ()
    return run(
        app, "create-user", *where, "--email", email, "--password", password, "--role", role, *more
    )


def test_create_tenant_and_users(app, app_ctx):
    r = run(app, "create-tenant", "novosib", "--name", "Кадровый резерв НСО")
    assert r.exit_code == 0, r.output
    r = run(app, "create-tenant", "novosib", "--name", "again")
    assert r.exit_code != 0 and "уже существует" in r.output
    r = run(app, "create-tenant", "Bad Slug", "--name", "x")
    assert r.exit_code != 0 and "Код проекта" in r.output

    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == "novosib")).scalar_one()
    db.session.add(Municipality(tenant_id=tenant.id, name="Искитимский район", kind="district"))
    db.session.add(Organization(tenant_id=tenant.id, name="Лицей № 1", kind="school"))
    db.session.commit()

    r = create_user(app, "c@example.test", "coordinator", "--municipality", "Искитимский район")
    assert r.exit_code == 0, r.output
    r = create_user(app, "o@example.test", "organizer", "--organization", "Лицей № 1")
    assert r.exit_code == 0, r.output
    r = create_user(app, "p@example.test", "platform-admin", tenant=None)
    assert r.exit_code == 0, r.output
    # errors name what is wrong and write nothing
    r = create_user(app, "x@example.test", "coordinator", "--municipality", "Нет такого")
    assert r.exit_code != 0 and "Нет такого" in r.output
    r = create_user(app, "y@example.test", "expert", password="short")
    assert r.exit_code != 0 and "12 символов" in r.output
    db.session.expire_all()
    emails = set(db.session.scalars(sa.select(User.email)))
    assert emails == {"c@example.test", "o@example.test", "p@example.test"}
    coord = db.session.execute(
        sa.select(Membership).join(User).where(User.email == "c@example.test")
    ).scalar_one()
    assert [m.name for m in coord.municipalities] == ["Искитимский район"]
    assert (
        db.session.execute(sa.select(User).where(User.email == "p@example.test"))
        .scalar_one()
        .is_platform_admin
    )


def _counts():
    tables = [t for t in db.metadata.sorted_tables if t.name != "audit_entry"]
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}


def test_demo_is_idempotent(app, app_ctx):
    r = run(app, "demo", "--password", "demo-pass-123")
    assert r.exit_code == 0, r.output
    assert "admin@tomsk.mkr.demo" in r.output and "demo-pass-123" in r.output
    first = _counts()
    r = run(app, "demo", "--password", "demo-pass-123")
    assert r.exit_code == 0, r.output
    assert "ничего не изменилось" in r.output
    db.session.expire_all()
    assert _counts() == first
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == "tomsk")).scalar_one()
    munis = db.session.scalars(
        sa.select(Municipality.name)
        .where(Municipality.tenant_id == tenant.id, Municipality.kind != "other_region")
        .order_by(Municipality.sort_order)
    ).all()
    assert len(munis) == 20 and munis[0] == "Александровский район" and munis[-1] == "г. Томск"
    regional = db.session.scalars(
        sa.select(Organization.name).where(Organization.is_regional_subordination.is_(True))
    ).all()
    assert sorted(regional) == [
        "ОГБОУ «Томский физико-технический лицей»",
        "ОГБОУ КШИ «Северский кадетский корпус»",
    ]
    roles = db.session.execute(
        sa.select(User.email, Membership.role).join(Membership).order_by(User.email)
    ).all()
    assert {(e, r.value) for e, r in roles} == {
        ("admin@tomsk.mkr.demo", "admin"),
        ("seversk@tomsk.mkr.demo", "coordinator"),
        ("pervomayskiy@tomsk.mkr.demo", "coordinator"),
        ("organizer@tomsk.mkr.demo", "organizer"),
        ("expert1@tomsk.mkr.demo", "expert"),
        ("expert2@tomsk.mkr.demo", "expert"),
    }
