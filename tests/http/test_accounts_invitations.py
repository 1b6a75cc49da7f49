"""Invitations (issue 13.1): an admin invites by e-mail with a role and scope; the invitee
sets the password through a single-use, expiring, signed link; resend and revoke; an
expired, used, replaced or forged link says so. No admin types a password."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AuditEntry, Invitation, Membership, User
from tests.support import PASSWORD, account_mails, last_link_path, logged_in, login, post_form

NEW_PASSWORD = "Кедровая-шишка-2026"


def _admin_client(app, admin):
    return logged_in(app, admin)


def _invite(client, email, role="coordinator", **extra):
    data = {"email": email, "full_name": "Иванова Анна Петровна", "role": role, **extra}
    return post_form(client, "/admin/users", data)


def _expert_invited(app, factory, email, tenant=None):
    """The admin of ``tenant`` (a new project by default) invites ``email`` as an expert: the
    admin's client and the path of the invitation's link."""
    client = _admin_client(app, factory.user(tenant or factory.tenant(), "admin"))
    _invite(client, email, role="expert")
    return client, last_link_path(email)


def _accept(app, path, password=NEW_PASSWORD, confirm=None, full_name="Иванова Анна Петровна"):
    client = app.test_client()
    return client, post_form(
        client,
        path,
        {"password": password, "confirm": confirm or password, "full_name": full_name},
    )


def test_invite_set_password_and_log_in(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    muni = factory.municipality(tenant, "Второй район")
    client = _admin_client(app, admin)
    resp = _invite(client, "New.Coord@Example.org", municipality_ids=str(muni.id))
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/users"
    assert "/admin/users" in resp.headers["Location"]
    page = client.get("/admin/users").get_data(as_text=True)
    assert "new.coord@example.org" in page.split('data-testid="invitations"')[1]
    assert "Пароль" not in page.split("Пригласить")[1]  # no password field for the admin

    mails = account_mails("new.coord@example.org")
    assert len(mails) == 1
    assert mails[0].subject == f"Приглашение в МКР: {tenant.name}"
    assert mails[0].link.startswith("http://127.0.0.1:5000/invite/")  # MKR_BASE_URL, not Host
    path = last_link_path("new.coord@example.org")

    page = app.test_client().get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Муниципальный координатор" in html and "Второй район" in html

    invitee, resp = _accept(app, path)
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    user = db.session.execute(
        sa.select(User).where(User.email == "new.coord@example.org")
    ).scalar_one()
    assert user.check_password(NEW_PASSWORD) and NEW_PASSWORD not in user.password_hash
    m = db.session.execute(sa.select(Membership).where(Membership.user_id == user.id)).scalar_one()
    assert (m.role.value, [x.name for x in m.municipalities]) == ("coordinator", ["Второй район"])
    assert login(invitee, "new.coord@example.org", NEW_PASSWORD).headers["Location"] == (
        "/coordinator/"
    )
    # the link was good once
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "Ссылка уже использована." in again.get_data(as_text=True)

    actions = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.user_id, AuditEntry.details)
        .where(AuditEntry.action.like("invitation.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(a) for a in actions] == [
        ("invitation.create", admin.id, {"role": "coordinator", "invitee_id": user.id}),
        ("invitation.accept", user.id, {}),
    ]
    assert "/invite/" not in str(db.session.scalars(sa.select(AuditEntry.details)).all())


def test_weak_or_mismatched_password_is_refused(app, factory):
    client, path = _expert_invited(app, factory, "x@example.org")
    _c, resp = _accept(app, path, password="password1234")
    assert resp.status_code == 200
    assert "Этот пароль слишком распространён" in resp.get_data(as_text=True)
    _c, resp = _accept(app, path, password="x@example.org")
    assert "Пароль не должен совпадать с адресом электронной почты." in resp.get_data(as_text=True)
    _c, resp = _accept(app, path, password="Тайга-2026")
    assert "Пароль должен быть не короче 12 символов." in resp.get_data(as_text=True)
    _c, resp = _accept(app, path, password=NEW_PASSWORD, confirm=NEW_PASSWORD + "!")
    assert "Пароли не совпадают." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_resend_replaces_the_link_and_revoke_ends_it(app, factory):
    client, first = _expert_invited(app, factory, "y@example.org")
    inv = db.session.execute(sa.select(Invitation)).scalar_one()
    resp = post_form(client, f"/admin/invitations/{inv.id}/resend", {}, form_url="/admin/users")
    assert resp.status_code == 302
    second = last_link_path("y@example.org")
    assert second != first and len(account_mails("y@example.org")) == 2
    old = app.test_client().get(first)
    assert old.status_code == 410
    assert "заменена более новой" in old.get_data(as_text=True)
    assert app.test_client().get(second).status_code == 200
    post_form(client, f"/admin/invitations/{inv.id}/revoke", {}, form_url="/admin/users")
    revoked = app.test_client().get(second)
    assert revoked.status_code == 410
    assert "Приглашение отозвано администратором." in revoked.get_data(as_text=True)
    _c, resp = _accept(app, second)
    assert resp.status_code == 410
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_expired_and_forged_links(app, factory):
    client, path = _expert_invited(app, factory, "z@example.org")
    inv = db.session.execute(sa.select(Invitation)).scalar_one()
    inv.expires_at = inv.expires_at - timedelta(days=7, seconds=1)
    db.session.commit()
    resp = app.test_client().get(path)
    assert resp.status_code == 410
    assert "Срок действия ссылки истёк." in resp.get_data(as_text=True)
    # the admin sees it expired and can send it again
    assert "просрочено" in client.get("/admin/users").get_data(as_text=True)
    post_form(client, f"/admin/invitations/{inv.id}/resend", {}, form_url="/admin/users")
    assert app.test_client().get(last_link_path("z@example.org")).status_code == 200
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    resp = app.test_client().get(forged)
    assert resp.status_code == 404
    assert "Ссылка недействительна." in resp.get_data(as_text=True)


def test_existing_account_accepts_without_a_new_password(app, factory):
    tenant, other = factory.tenant(), factory.tenant()
    expert = factory.user(other, "expert", email="expert@example.org")
    client, path = _expert_invited(app, factory, expert.email, tenant)
    page = app.test_client().get(path).get_data(as_text=True)
    assert "У вас уже есть учётная запись" in page and 'name="password"' not in page
    resp = post_form(app.test_client(), path, {})
    assert resp.headers["Location"] == "/login"
    tenants = db.session.scalars(
        sa.select(Membership.tenant_id).where(Membership.user_id == expert.id)
    ).all()
    assert sorted(tenants) == sorted([tenant.id, other.id])
    assert login(app.test_client(), expert.email, PASSWORD).status_code == 302


def test_duplicate_invitations_and_roles_are_refused(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin", email="admin@example.org")
    client = _admin_client(app, admin)
    _invite(client, "d@example.org", role="expert")
    resp = _invite(client, "d@example.org", role="expert")
    assert resp.status_code == 200
    assert "Приглашение с этой ролью уже ждёт ответа" in resp.get_data(as_text=True)
    resp = post_form(
        client,
        "/admin/users",
        {"email": admin.email, "full_name": "x", "role": "admin"},
    )
    assert resp.status_code == 200
    assert "У этого пользователя уже есть эта роль в проекте." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1


def test_another_tenants_invitation_is_404(app, factory):
    tenant, other = factory.tenant(), factory.tenant()
    _invite(_admin_client(app, factory.user(other, "admin")), "o@example.org", role="expert")
    inv = db.session.execute(sa.select(Invitation)).scalar_one()
    client = _admin_client(app, factory.user(tenant, "admin"))
    token = client.get("/admin/users").get_data(as_text=True)
    assert "o@example.org" not in token
    resp = post_form(client, f"/admin/invitations/{inv.id}/revoke", {}, form_url="/admin/users")
    assert resp.status_code == 404


def test_platform_admin_invites_a_new_tenants_first_admin(app, factory):
    platform = factory.user(platform_admin=True)
    client = app.test_client()
    login(client, platform.email)
    resp = post_form(
        client,
        "/platform/",
        {
            "slug": "novosib",
            "name": "МКР Новосибирской области",
            "admin_email": "operator@example.org",
            "admin_name": "Оператор Новосибирский",
        },
    )
    assert resp.status_code == 302
    path = last_link_path("operator@example.org")
    invitee, resp = _accept(app, path)
    assert resp.headers["Location"] == "/login"
    assert login(invitee, "operator@example.org", NEW_PASSWORD).headers["Location"] == "/admin/"


def test_account_mails_wait_in_the_platform_outbox_only(app, factory):
    tenant = factory.tenant()
    admin = factory.user(tenant, "admin")
    platform = factory.user(platform_admin=True)
    _invite(_admin_client(app, admin), "p@example.org", role="expert")
    link = account_mails("p@example.org")[0].link
    tenant_outbox = _admin_client(app, admin).get("/admin/outbox").get_data(as_text=True)
    assert link not in tenant_outbox and "p@example.org" not in tenant_outbox
    client = app.test_client()
    login(client, platform.email)
    page = client.get("/platform/outbox").get_data(as_text=True)
    table = page.split('data-testid="account-outbox"')[1]
    assert link in table and "p@example.org" in table
    assert _admin_client(app, admin).get("/platform/outbox").status_code == 403
