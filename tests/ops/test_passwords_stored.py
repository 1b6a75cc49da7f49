"""Passwords as stored: without the test suite's cheap switch, users are hashed with scrypt."""

from __future__ import annotations

from tests.support import PASSWORD


def test_password_is_hashed_with_scrypt(factory, data_app, monkeypatch):
    # The suite hashes its users cheaply (MKR_PASSWORD_HASH); without that switch: scrypt.
    monkeypatch.delitem(data_app.config, "MKR_PASSWORD_HASH")
    user = factory.user(factory.tenant(), "admin")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
