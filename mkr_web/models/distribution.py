"""Which tables a distributed PostgreSQL (Citus) would distribute by ``tenant_id`` and which it
would replicate to every node (issue 14, item 6). ``tests/unit/test_distribution.py`` checks
the models against it; ``flask mkr citus-keys`` prepares a database for it."""

from __future__ import annotations

import sqlalchemy as sa

#: platform-wide tables, replicated to every node (Citus reference tables), with the reason
REFERENCE = {
    "tenant": "the tenants themselves",
    "user": "a person may hold roles in several tenants",
    "user_session": "a login, before any tenant is chosen",
    "login_failure": "throttling by address and account, before any tenant",
    "password_reset": "an account's, not a tenant's",
    "recovery_code": "an account's second factor",
    "notification_preference": "an account's channels, across its tenants",
    "form_submission": "single-use form tokens of any page, platform pages included",
    "platform_audit_entry": "the audit entries of no tenant: platform admin, account events",
    "account_notification": "account mails (invitation, password reset): no tenant",
}


def distributed_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """Every table but the reference tables, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in REFERENCE]
