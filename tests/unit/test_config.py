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


def test_account_defaults(tmp_path):
    cfg = load_config(str(tmp_path), env={})
    got = {
        k: cfg[k]
        for k in (
            "MKR_LOGIN_ACCOUNT_LIMIT",
            "MKR_LOGIN_ADDRESS_LIMIT",
            "MKR_LOGIN_WINDOW_MINUTES",
            "MKR_LOGIN_DELAY_SECONDS",
            "MKR_SESSION_IDLE_MINUTES",
            "MKR_SESSION_MAX_HOURS",
            "MKR_INVITATION_DAYS",
            "MKR_RESET_MINUTES",
            "MKR_TRUSTED_PROXIES",
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
        )
    }
    assert got == {
        "MKR_LOGIN_ACCOUNT_LIMIT": 5,
        "MKR_LOGIN_ADDRESS_LIMIT": 50,
        "MKR_LOGIN_WINDOW_MINUTES": 15,
        "MKR_LOGIN_DELAY_SECONDS": 1.0,
        "MKR_SESSION_IDLE_MINUTES": 120,
        "MKR_SESSION_MAX_HOURS": 12,
        "MKR_INVITATION_DAYS": 7,
        "MKR_RESET_MINUTES": 60,
        "MKR_TRUSTED_PROXIES": 0,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    }
    cfg = load_config(str(tmp_path), env={"MKR_LOGIN_DELAY_SECONDS": "0.5"})
    assert cfg["MKR_LOGIN_DELAY_SECONDS"] == 0.5


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
        ({"MKR_LOGIN_ACCOUNT_LIMIT": "five"}, "MKR_LOGIN_ACCOUNT_LIMIT"),
        ({"MKR_LOGIN_ADDRESS_LIMIT": "0"}, "MKR_LOGIN_ADDRESS_LIMIT"),
        ({"MKR_SESSION_IDLE_MINUTES": "-5"}, "MKR_SESSION_IDLE_MINUTES"),
        ({"MKR_LOGIN_DELAY_SECONDS": "x"}, "MKR_LOGIN_DELAY_SECONDS"),
    ],
)
def test_wrong_value_names_the_variable(tmp_path, env, variable):
    with pytest.raises(ConfigError) as exc:
        load_config(str(tmp_path), env=env)
    assert variable in str(exc.value)


def test_https_makes_cookies_secure(tmp_path):
    cfg = load_config(str(tmp_path), env={"MKR_HTTPS": "1", "MKR_BASE_URL": "https://mkr.example"})
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["REMEMBER_COOKIE_SECURE"] is True


def test_base_url_defaults_to_the_demo_and_is_required_in_production(tmp_path):
    assert load_config(str(tmp_path), env={})["MKR_BASE_URL"] == "http://127.0.0.1:5000"
    cfg = load_config(str(tmp_path), env={"MKR_BASE_URL": "https://mkr.example.org/bank/"})
    assert cfg["MKR_BASE_URL"] == "https://mkr.example.org/bank"
    with pytest.raises(ConfigError, match="MKR_BASE_URL must be set in production"):
        load_config(str(tmp_path), env={"MKR_HTTPS": "1"})
    with pytest.raises(ConfigError, match="MKR_BASE_URL"):
        load_config(str(tmp_path), env={"MKR_BASE_URL": "ftp://mkr.example.org"})


def test_external_url_ignores_the_request_host(tmp_path):
    from mkr_web import create_app
    from mkr_web.navigation import external_url

    app = create_app({"MKR_BASE_URL": "https://mkr.example.org/bank", "TESTING": True})
    with app.test_request_context("/", headers={"Host": "evil.example.com"}):
        assert (
            external_url("public.verify", code="ABC") == "https://mkr.example.org/bank/verify/ABC"
        )
    with app.app_context():
        assert external_url("auth.login") == "https://mkr.example.org/bank/login"


def test_mail_settings_defaults_and_tls(tmp_path):
    cfg = load_config(str(tmp_path), env={})
    assert (cfg["MAIL_SERVER"], cfg["MAIL_PORT"], cfg["MAIL_FROM"]) == (None, 25, "mkr@localhost")
    assert (cfg["MAIL_USE_TLS"], cfg["MAIL_USE_SSL"], cfg["MAIL_TIMEOUT"]) == (False, False, 10)
    cfg = load_config(
        str(tmp_path),
        env={
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_USE_SSL": "1",
            "MAIL_USERNAME": "mkr",
            "MAIL_PASSWORD": "secret",
        },
    )
    assert (cfg["MAIL_PORT"], cfg["MAIL_USE_SSL"], cfg["MAIL_USERNAME"]) == (465, True, "mkr")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAIL_USE_TLS": "1", "MAIL_USE_SSL": "1"}, "MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL"),
        ({"MAIL_USERNAME": "mkr"}, "MAIL_USERNAME and MAIL_PASSWORD go together"),
        ({"MAIL_USERNAME": "mkr", "MAIL_PASSWORD": "x"}, "would send the password in clear"),
        ({"MAIL_PORT": "smtp"}, "MAIL_PORT and MAIL_TIMEOUT must be whole numbers"),
        ({"MAIL_PORT": "70000"}, "MAIL_PORT must be a port number"),
        ({"MAIL_TIMEOUT": "0"}, "MAIL_TIMEOUT must be between 1 and 300"),
        ({"MAIL_USE_TLS": "yes please"}, "MAIL_USE_TLS must be 1 or 0"),
        ({"MAIL_CA_FILE": "/nonexistent/ca.pem"}, "MAIL_CA_FILE is not a readable file"),
        ({"MAIL_FROM": "mkr"}, "MAIL_FROM must be an e-mail address"),
    ],
)
def test_wrong_mail_settings_name_the_variable(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(str(tmp_path), env=env)


def test_plain_login_is_allowed_only_when_asked(tmp_path):
    env = {"MAIL_USERNAME": "mkr", "MAIL_PASSWORD": "x", "MAIL_ALLOW_PLAIN_LOGIN": "1"}
    assert load_config(str(tmp_path), env=env)["MAIL_PASSWORD"] == "x"
