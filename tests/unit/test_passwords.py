"""Passwords: production hashes with scrypt; only the test app may choose a cheap method."""

from __future__ import annotations

import pytest
from flask import Flask

from mkr_web import create_app
from mkr_web.config import ConfigError, load_config
from mkr_web.models import User


def _user_hashed_under(config: dict) -> User:
    app = Flask("passwords")
    app.config.update(config)
    with app.app_context():
        user = User(email="someone@example.test")
        user.set_password("correct horse battery")
    return user


def test_production_config_hashes_with_scrypt(tmp_path):
    config = load_config(str(tmp_path), env={})
    assert config["MKR_PASSWORD_HASH"] == "scrypt"
    user = _user_hashed_under(config)
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("correct horse battery")
    assert not user.check_password("correct horse")


def test_without_an_app_the_hash_is_scrypt():
    user = User(email="someone@example.test")
    user.set_password("correct horse battery")
    assert user.password_hash.startswith("scrypt:")


def test_the_test_suites_cheap_hash_still_checks():
    user = _user_hashed_under({"MKR_PASSWORD_HASH": "pbkdf2:sha256:1"})
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert user.check_password("correct horse battery")
    assert not user.check_password("wrong")


def test_a_cheap_hash_is_refused_outside_tests(tmp_path, monkeypatch):
    monkeypatch.setenv("MKR_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="MKR_PASSWORD_HASH"):
        create_app({"MKR_PASSWORD_HASH": "pbkdf2:sha256:1"})
