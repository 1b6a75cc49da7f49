"""Single sign-on through a tenant's OpenID Connect provider.

The tenant admin sets the provider: issuer, client id and secret (the secret is written,
never shown back), which ID-token claim holds the e-mail, and whether unknown users are
refused (the default) or created without a role. The login flow is authorization code with
PKCE, ``state`` and ``nonce`` (Authlib's client); the ID token is checked with joserfc
against the provider's published keys: signature, issuer, audience, expiry, nonce.

A user signed in through tenant A's provider acts in tenant A only (``access`` reads the
session's ``sso_tenant``): another tenant's provider vouches for nobody here.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..errors import OperationError
from ..extensions import db
from ..models import Membership, Tenant, TenantSSO, User
from ..queries.accounts import sso_config
from ..queries.reference import user_by_email
from .audit import record

SCOPE = "openid email profile"
# scheme, host (letters, digits, dots, dashes), optional port and path: nothing that could
# break out of the login page's Content-Security-Policy, where the origin is listed
ISSUER_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$")
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
HTTP_TIMEOUT = 5
CACHE_SECONDS = 600
_cache: dict[str, tuple[float, dict]] = {}


class SSORefused(Exception):
    """The sign-in is refused; ``reason`` is for the audit log, the message for the user."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


# --- configuration ------------------------------------------------------------------------


def save_config(
    tenant: Tenant,
    *,
    label: str,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    email_claim: str,
    create_unknown: bool,
    is_enabled: bool,
) -> TenantSSO:
    """Create or update the tenant's provider. An empty ``client_secret`` keeps the old one."""
    issuer = (issuer or "").strip().rstrip("/")
    parts = urlsplit(issuer)
    if not ISSUER_RE.match(issuer):
        raise OperationError("Издатель (issuer): адрес вида https://id.example.org/realms/x.")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise OperationError("Издатель (issuer) должен работать по https.")
    label, client_id = (label or "").strip(), (client_id or "").strip()
    email_claim = (email_claim or "email").strip()
    if not label or not client_id:
        raise OperationError("Укажите название кнопки и идентификатор клиента.")
    if not email_claim.replace("_", "").replace(".", "").isalnum():
        raise OperationError("Имя утверждения (claim) — латинские буквы, цифры, «_».")
    row = sso_config(tenant.id)
    if row is None:
        if not client_secret:
            raise OperationError("Укажите секрет клиента.")
        row = TenantSSO(tenant_id=tenant.id)
        db.session.add(row)
    row.label, row.issuer, row.client_id = label[:100], issuer[:300], client_id[:200]
    if client_secret:
        row.client_secret = client_secret.strip()[:500]
    row.email_claim, row.create_unknown, row.is_enabled = (
        email_claim[:64],
        create_unknown,
        is_enabled,
    )
    db.session.flush()
    record(
        "tenant.sso.update",
        row,
        tenant_id=tenant.id,
        issuer=row.issuer,
        client_id=row.client_id,
        secret_changed=bool(client_secret),
        email_claim=row.email_claim,
        create_unknown=row.create_unknown,
        is_enabled=row.is_enabled,
    )
    return row


# --- the provider's published documents ---------------------------------------------------


def _get_json(url: str) -> dict:
    cached = _cache.get(url)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        resp = requests.get(url, timeout=HTTP_TIMEOUT)
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise SSORefused(
            "provider_unreachable", "Сервер входа недоступен. Повторите позже."
        ) from exc
    _cache[url] = (time.monotonic(), data)
    return data


def metadata(conf: TenantSSO) -> dict:
    meta = _get_json(conf.issuer + "/.well-known/openid-configuration")
    if meta.get("issuer", "").rstrip("/") != conf.issuer:
        raise SSORefused("issuer_mismatch", "Сервер входа настроен неверно (issuer).")
    return meta


def _keys(meta: dict, refresh: bool = False) -> KeySet:
    if refresh:
        _cache.pop(meta["jwks_uri"], None)
    return KeySet.import_key_set(_get_json(meta["jwks_uri"]))


# --- the flow -----------------------------------------------------------------------------


@dataclass
class Started:
    url: str
    state: str
    nonce: str
    verifier: str


def _client(conf: TenantSSO, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        conf.client_id,
        conf.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def start(conf: TenantSSO, redirect_uri: str) -> Started:
    meta = metadata(conf)
    state, nonce, verifier = generate_token(32), secrets.token_urlsafe(24), generate_token(64)
    url, _ = _client(conf, redirect_uri).create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    return Started(url, state, nonce, verifier)


def finish(
    conf: TenantSSO,
    redirect_uri: str,
    args: dict,
    *,
    state: str,
    nonce: str,
    verifier: str,
    leeway: int,
) -> str:
    """Check the provider's answer and the ID token; returns the e-mail it vouches for."""
    if args.get("error"):
        raise SSORefused("provider_error", "Сервер входа отказал во входе.")
    if not args.get("state") or args.get("state") != state:
        raise SSORefused("state", "Ответ сервера входа не относится к этому входу.")
    meta = metadata(conf)
    if args.get("iss") and args["iss"].rstrip("/") != conf.issuer:
        raise SSORefused("issuer_mismatch", "Ответ пришёл от другого сервера входа.")
    code = args.get("code")
    if not code:
        raise SSORefused("no_code", "Сервер входа не прислал код.")
    try:
        token = _client(conf, redirect_uri).fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=verifier,
            timeout=HTTP_TIMEOUT,
        )
    except Exception as exc:  # noqa: BLE001 - Authlib raises OAuthError and requests' errors
        raise SSORefused("token_exchange", "Сервер входа не подтвердил вход.") from exc
    claims = _id_token_claims(conf, meta, token.get("id_token"), nonce, leeway)
    if conf.email_claim not in claims:
        claims = {**_userinfo(meta, token, claims["sub"]), **claims}
    email = claims.get(conf.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise SSORefused("no_email", "Сервер входа не сообщил адрес электронной почты.")
    if conf.email_claim == "email" and claims.get("email_verified") is False:
        raise SSORefused("email_unverified", "Адрес электронной почты не подтверждён.")
    return User.normalize_email(email)


def _userinfo(meta: dict, token: dict, sub: str) -> dict:
    """Claims from the UserInfo endpoint (providers put only ``sub`` in the ID token unless
    asked); they count only for the same subject as the checked ID token."""
    endpoint, access_token = meta.get("userinfo_endpoint"), token.get("access_token")
    if not endpoint or not access_token:
        return {}
    try:
        resp = requests.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
        )
        resp.raise_for_status()
        info = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise SSORefused("userinfo", "Сервер входа не сообщил данные пользователя.") from exc
    if not isinstance(info, dict) or info.get("sub") != sub:
        raise SSORefused("userinfo", "Сервер входа сообщил данные другого пользователя.")
    return info


def _id_token_claims(conf: TenantSSO, meta: dict, id_token, nonce: str, leeway: int) -> dict:
    if not id_token:
        raise SSORefused("no_id_token", "Сервер входа не прислал ID-токен.")
    try:
        try:
            decoded = jwt.decode(id_token, _keys(meta), algorithms=ALGORITHMS)
        except JoseError:
            decoded = jwt.decode(id_token, _keys(meta, refresh=True), algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SSORefused("signature", "Подпись ID-токена не подтверждена.") from exc
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=leeway,
        iss={"essential": True, "value": conf.issuer},
        aud={"essential": True, "value": conf.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        expired = "expired" in type(exc).__name__.lower() or "exp" in str(exc)
        if expired:
            raise SSORefused("expired", "Срок действия ID-токена истёк.") from exc
        raise SSORefused("claims", "ID-токен выдан не для этого сайта.") from exc
    if claims.get("nonce") != nonce:
        raise SSORefused("nonce", "ID-токен выдан для другого входа (nonce).")
    if claims.get("azp") not in (None, conf.client_id):
        raise SSORefused("claims", "ID-токен выдан не для этого сайта.")
    return claims


def resolve_user(conf: TenantSSO, email: str) -> User:
    """The account that may sign in to ``conf.tenant`` with this e-mail, or a refusal."""
    user = user_by_email(email)
    if user is None:
        if not conf.create_unknown:
            raise SSORefused(
                "unknown_user",
                "Учётной записи с этим адресом нет. Обратитесь к администратору проекта.",
            )
        user = User(email=email, full_name="", password_hash="")
        db.session.add(user)
        db.session.flush()
        record("auth.sso.user_created", user, tenant_id=conf.tenant_id, user=user)
        return user
    if not user.is_active:
        raise SSORefused("inactive", "Учётная запись отключена.")
    has_role_here = db.session.execute(
        sa.select(Membership.id).where(
            Membership.user_id == user.id, Membership.tenant_id == conf.tenant_id
        )
    ).first()
    # An account with roles elsewhere only (or the platform admin) is not this provider's
    # to vouch for; one with no role at all may come back if unknown users are welcome.
    roleless = not user.memberships and not user.is_platform_admin
    if not has_role_here and not (conf.create_unknown and roleless):
        raise SSORefused(
            "no_role_in_tenant",
            "У вас нет роли в этом проекте. Обратитесь к администратору проекта.",
        )
    return user
