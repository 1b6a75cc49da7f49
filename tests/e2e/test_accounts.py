"""Accounts in a browser: invite → set password → enrol 2FA → log out → log in with a code;
reset a forgotten password; log in through the local OpenID Connect provider."""

from __future__ import annotations

import time

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from mkr_web.models import TenantSSO
from tests.factories import Factory, tenant_sso
from tests.support import PASSWORD, browser_login, last_link_path

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Сибирский-кедр-растёт"


def _link(data_app, email: str) -> str:
    with data_app.app_context():
        path = last_link_path(email)
        db.session.remove()
    return path


@pytest.fixture
def tenant_admin(data_app):
    with data_app.app_context():
        factory = Factory()
        tenant = factory.tenant(slug="e2e-accounts")
        admin = factory.user(tenant, "admin", email="e2e-admin@example.org")
        result = (tenant.slug, admin.email)
        db.session.remove()
    return result


def test_invite_set_password_enrol_2fa_log_in_with_code(page: Page, data_app, tenant_admin):
    _slug, admin_email = tenant_admin
    browser_login(page, admin_email)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    page.get_by_role("link", name="Пользователи").click()
    page.get_by_label("Электронная почта").fill("invitee@example.org")
    page.get_by_label("ФИО").fill("Петрова Мария Ивановна")
    page.get_by_label("Роль").select_option("expert")
    page.get_by_role("button", name="Отправить приглашение").click()
    expect(page.get_by_text("Приглашение отправлено.")).to_be_visible()
    expect(page.get_by_test_id("invitations")).to_contain_text("invitee@example.org")
    page.get_by_role("button", name="Выйти", exact=True).click()

    # the invitee opens the mail's link and chooses a password
    page.goto(_link(data_app, "invitee@example.org"))
    expect(page.get_by_role("heading", name="Приглашение в проект")).to_be_visible()
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Принять приглашение").click()
    expect(page.get_by_text("Приглашение принято. Войдите")).to_be_visible()

    browser_login(page, "invitee@example.org", NEW_PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    page.get_by_test_id("account-link").click()
    page.get_by_role("link", name="Включить").click()
    expect(page.get_by_role("img", name="QR-код для приложения-аутентификатора")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Код из приложения").fill(totp.now())
    page.get_by_role("button", name="Включить").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Я сохранил коды").click()
    expect(page.get_by_test_id("2fa-status")).to_contain_text("Включена")
    page.get_by_role("button", name="Выйти", exact=True).click()

    browser_login(page, "invitee@example.org", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Второй шаг входа")).to_be_visible()
    page.get_by_label("Код из приложения или код восстановления").fill(
        totp.at(time.time() + 30)  # the next step: the enrolment's code is spent
    )
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("Эксперт")


def test_reset_a_forgotten_password(page: Page, data_app, tenant_admin):
    _slug, admin_email = tenant_admin
    page.goto("/login")
    page.get_by_role("link", name="Забыли пароль?").click()
    page.get_by_label("Электронная почта").fill(admin_email)
    page.get_by_role("button", name="Прислать ссылку").click()
    expect(page.get_by_test_id("reset-requested")).to_be_visible()

    page.goto(_link(data_app, admin_email))
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сохранить пароль").click()
    expect(page.get_by_text("Пароль изменён. Войдите с новым паролем.")).to_be_visible()

    browser_login(page, admin_email, PASSWORD)
    expect(page.get_by_text("Неверная электронная почта или пароль.")).to_be_visible()
    browser_login(page, admin_email, NEW_PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


@pytest.fixture
def sso_tenant(app, data_app, live_server, oidc_provider):
    """The test provider as a tenant's single sign-on, redirecting to the live server."""
    saved = app.config["MKR_BASE_URL"]
    app.config["MKR_BASE_URL"] = live_server
    client_id, secret = oidc_provider.register(live_server + "/sso/callback")
    with data_app.app_context():
        factory = Factory()
        tenant = factory.tenant(slug="e2e-sso")
        factory.user(tenant, "coordinator", email="sso-coord@example.org")
        tenant_sso(tenant, oidc_provider, client_id, secret)
        db.session.remove()
    yield
    app.config["MKR_BASE_URL"] = saved
    with data_app.app_context():
        db.session.execute(sa.delete(TenantSSO))
        db.session.commit()
        db.session.remove()


def test_log_in_through_the_local_oidc_provider(page: Page, sso_tenant, oidc_provider):
    page.goto("/login")
    page.get_by_role("button", name="Войти через Томский ID").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    assert page.url.startswith(oidc_provider.issuer + "/interaction/")
    page.get_by_label("E-mail").fill("sso-coord@example.org")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("Муниципальный координатор")
    page.get_by_test_id("account-link").click()
    expect(page.get_by_test_id("sessions")).to_contain_text("(sso)")
