import pytest

from mkr_web.config import ConfigError, load_config


def test_defaults(tmp_path):
    cfg = load_config(str(tmp_path), env={})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'mkr.db'}"
    assert cfg["CELERY"]["task_always_eager"] is True
    assert cfg["BABEL_DEFAULT_LOCALE"] == "ru"
    key = cfg["SECRET_KEY"]
    assert len(key) >= 32
    # generated once and kept
    assert load_config(str(tmp_path), env={})["SECRET_KEY"] == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_postgres_url_uses_psycopg3(tmp_path):
    cfg = load_config(str(tmp_path), env={"DATABASE_URL": "postgresql://u:p@db:5432/mkr"})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/mkr"


def test_broker_turns_off_eager_mode(tmp_path):
    cfg = load_config(str(tmp_path), env={"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert cfg["CELERY"]["task_always_eager"] is False
    assert cfg["CELERY"]["result_backend"] == "redis://127.0.0.1:6379/0"
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "amqp://guest@localhost"}, "CELERY_BROKER_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"MKR_LOCALE": "de"}, "MKR_LOCALE"),
        ({"MKR_HTTPS": "maybe"}, "MKR_HTTPS"),
    ],
)
def test_wrong_value_names_the_variable(tmp_path, env, variable):
    with pytest.raises(ConfigError) as exc:
        load_config(str(tmp_path), env=env)
    assert variable in str(exc.value)


def test_https_makes_cookies_secure(tmp_path):
    cfg = load_config(str(tmp_path), env={"MKR_HTTPS": "1"})
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["REMEMBER_COOKIE_SECURE"] is True
