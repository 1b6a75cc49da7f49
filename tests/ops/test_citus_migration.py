"""The migrations of issue 14, item 6 (distribution by tenant) on data: step 2 fills the new
tenant_id of the association tables and criteria from the row each belongs to, and both steps
stop before changing anything when a row refers to (or links) another tenant's row. Each on
its own SQLite database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from flask import current_app
from flask_migrate import downgrade, upgrade

from mkr_web.extensions import db
from tests.support import migrated_to

TENANTS = (
    "INSERT INTO tenant (id, slug, name, settings, created_at) VALUES "
    "(1, 'a', 'A', '{}', '2020-01-01'), (2, 'b', 'B', '{}', '2020-01-01')"
)
MUNICIPALITIES = (
    "INSERT INTO municipality (id, tenant_id, name, kind, sort_order, is_retired) VALUES "
    "(10, 1, 'Первый', 'district', 0, 0), (20, 2, 'Второй', 'district', 0, 0)"
)
MEMBERSHIPS = (
    "INSERT INTO membership (id, user_id, tenant_id, role, created_at) VALUES "
    "(1, 1, 1, 'coordinator', '2020-01-01'), (2, 1, 2, 'coordinator', '2020-01-01')"
)
RUBRIC = (
    "INSERT INTO rubric (id, tenant_id, kind, title) VALUES (5, 2, 'accreditation', 'Р')",
    "INSERT INTO rubric_criterion (id, rubric_id, title, max_points, weight, sort_order,"
    " is_active) VALUES (7, 5, 'Цели', 5, 1.0, 1, 1)",
)


def _alembic_upgrade(revision: str) -> None:
    """Alembic's upgrade itself (Flask-Migrate's logs an error and exits)."""
    command.upgrade(current_app.extensions["migrate"].migrate.get_config(), revision)


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_the_links_and_criteria_take_their_rows_tenant_and_give_it_back():
    links = "INSERT INTO membership_municipality VALUES (1, 10), (2, 20)"
    with migrated_to("i14_citus_01", [TENANTS, MUNICIPALITIES, MEMBERSHIPS, links, *RUBRIC]):
        upgrade(revision="i14_citus_02")
        links_after = _rows(
            "SELECT membership_id, municipality_id, tenant_id FROM membership_municipality "
            "ORDER BY membership_id"
        )
        criteria_after = _rows("SELECT id, tenant_id FROM rubric_criterion")
        downgrade(revision="i14_citus_01")
        columns = [c["name"] for c in sa.inspect(db.engine).get_columns("membership_municipality")]
    assert links_after == [(1, 10, 1), (2, 20, 2)]
    assert criteria_after == [(7, 2)]
    assert columns == ["membership_id", "municipality_id"]


def test_a_link_between_two_tenants_stops_the_upgrade():
    links = "INSERT INTO membership_municipality VALUES (1, 10), (1, 20)"
    with migrated_to("i14_citus_01", [TENANTS, MUNICIPALITIES, MEMBERSHIPS, links]):
        with pytest.raises(
            RuntimeError,
            match=r"^rows linking rows of two tenants: "
            r"\{'membership_municipality.municipality_id': 1\}$",
        ):
            _alembic_upgrade("i14_citus_02")
        columns = [c["name"] for c in sa.inspect(db.engine).get_columns("membership_municipality")]
    assert columns == ["membership_id", "municipality_id"]


def test_a_reference_to_another_tenants_row_stops_the_upgrade():
    organization = (
        "INSERT INTO organization (id, tenant_id, name, kind, municipality_id,"
        " is_regional_subordination) VALUES (30, 2, 'Школа', 'school', 20, 0)"
    )
    membership = (
        "INSERT INTO membership (id, user_id, tenant_id, role, organization_id, created_at)"
        " VALUES (3, 1, 1, 'organizer', 30, '2020-01-01')"
    )
    with migrated_to("i17_numbers_01", [TENANTS, MUNICIPALITIES, organization, membership]):
        with pytest.raises(
            RuntimeError,
            match=r"^rows referring to another tenant's row: \{'membership.organization_id': 1\}$",
        ):
            _alembic_upgrade("i14_citus_01")
        keys = _rows("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%UNIQUE (tenant_id, id)%'")
    assert keys == [(0,)]


AUDIT = (
    "INSERT INTO audit_entry (id, tenant_id, user_id, role, at, action, object_type, object_id,"
    " details, ip) VALUES"
    " (1, 1, 1, 'admin', '2020-01-01 10:00:00', 'person.create', 'Person', 7, '{}', NULL),"
    " (2, NULL, 1, NULL, '2020-01-01 11:00:00', 'auth.login', NULL, NULL,"
    " '{\"method\": \"password\"}', '10.0.0.1'),"
    " (3, 2, NULL, NULL, '2020-01-01 12:00:00', 'tenant.update', 'Tenant', 2, '{}', NULL),"
    " (4, NULL, NULL, NULL, '2020-01-01 13:00:00', 'tenant.create', 'Tenant', 2, '{}', NULL)"
)


def test_the_tenant_less_audit_entries_move_to_their_table_and_back():
    with migrated_to("i14_citus_03", [TENANTS, AUDIT]):
        upgrade(revision="i14_citus_04")
        tenants_after = _rows("SELECT id, tenant_id, action FROM audit_entry ORDER BY id")
        platform_after = _rows(
            "SELECT id, user_id, role, at, action, object_type, object_id, details, ip"
            " FROM platform_audit_entry ORDER BY id"
        )
        nullable = {
            c["name"]: c["nullable"] for c in sa.inspect(db.engine).get_columns("audit_entry")
        }["tenant_id"]
        downgrade(revision="i14_citus_03")
        back = _rows("SELECT id, tenant_id, action, ip FROM audit_entry ORDER BY id")
        tables = sa.inspect(db.engine).get_table_names()
    assert tenants_after == [(1, 1, "person.create"), (3, 2, "tenant.update")]
    assert platform_after == [
        (
            1,
            1,
            None,
            "2020-01-01 11:00:00",
            "auth.login",
            None,
            None,
            '{"method": "password"}',
            "10.0.0.1",
        ),
        (2, None, None, "2020-01-01 13:00:00", "tenant.create", "Tenant", 2, "{}", None),
    ]
    assert nullable is False
    assert back == [
        (1, 1, "person.create", None),
        (3, 2, "tenant.update", None),
        (4, None, "auth.login", "10.0.0.1"),  # new ids after the highest (SQLite's rowid)
        (5, None, "tenant.create", None),
    ]
    assert "platform_audit_entry" not in tables


NOTIFICATIONS = (
    "INSERT INTO notification (id, tenant_id, user_id, kind, subject, body, link, url,"
    " created_at, read_at, mail_state, mail_attempts, mail_error, emailed_at) VALUES"
    " (1, 1, 1, 'general', 'Заявка', '', '/a', NULL, '2020-01-01 10:00:00', NULL, 'none', 0,"
    " NULL, NULL),"
    " (2, NULL, 1, 'account', 'Приглашение', 'Текст', 'http://x/i/1', 'http://x/i/1',"
    " '2020-01-01 11:00:00', NULL, 'queued', 0, NULL, NULL),"
    " (3, NULL, 2, 'account', 'Сброс', '', 'http://x/r/2', 'http://x/r/2',"
    " '2020-01-01 12:00:00', '2020-01-02 00:00:00', 'failed', 5, 'SMTPRecipientsRefused',"
    " NULL)"
)


def test_the_account_mails_move_to_their_table_and_back():
    with migrated_to("i14_citus_04", [TENANTS, NOTIFICATIONS]):
        upgrade(revision="i14_citus_05")
        tenants_after = _rows("SELECT id, tenant_id, subject FROM notification ORDER BY id")
        accounts_after = _rows(
            "SELECT id, user_id, kind, subject, body, link, url, created_at, read_at,"
            " mail_state, mail_attempts, mail_error, emailed_at"
            " FROM account_notification ORDER BY id"
        )
        nullable = {
            c["name"]: c["nullable"] for c in sa.inspect(db.engine).get_columns("notification")
        }["tenant_id"]
        downgrade(revision="i14_citus_04")
        back = _rows("SELECT id, tenant_id, subject, mail_state FROM notification ORDER BY id")
        tables = sa.inspect(db.engine).get_table_names()
    assert tenants_after == [(1, 1, "Заявка")]
    assert accounts_after == [
        (
            1,
            1,
            "account",
            "Приглашение",
            "Текст",
            "http://x/i/1",
            "http://x/i/1",
            "2020-01-01 11:00:00",
            None,
            "queued",
            0,
            None,
            None,
        ),
        (
            2,
            2,
            "account",
            "Сброс",
            "",
            "http://x/r/2",
            "http://x/r/2",
            "2020-01-01 12:00:00",
            "2020-01-02 00:00:00",
            "failed",
            5,
            "SMTPRecipientsRefused",
            None,
        ),
    ]
    assert nullable is False
    assert back == [
        (1, 1, "Заявка", "none"),
        (2, None, "Приглашение", "queued"),  # new ids after the highest (SQLite's rowid)
        (3, None, "Сброс", "failed"),
    ]
    assert "account_notification" not in tables
