"""The API's machinery: every route is declared with :func:`endpoint` (its roles, its scope,
its schemas), which registers the Flask route, the access policy and the operation of the
OpenAPI document at once.

A request is recognised by its bearer token before the view runs (the session cookie is
ignored: the API never acts for a browser session, so it needs no CSRF token); the token's
membership becomes the request's context, so the views call the same scoped queries and the
same operations as the pages, and the audit notes the token's id. Every refusal is
``application/problem+json`` (RFC 9457) naming the field or row when there is one.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass, field

from flask import Response, current_app, g, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from ..access import POLICY_ATTR, PUBLIC, Context, TokenPolicy, policy_of
from ..errors import REFUSALS, CountsError, RowsRefused, StaleItem
from ..extensions import csrf
from ..operations.api_tokens import recognise
from ..web.commit import commit_or_refuse

PROBLEM = "application/problem+json"
PROBLEM_TYPES = "https://mkr.example/problems/"  # documented in the OpenAPI document


@dataclass
class Operation:
    """One documented operation (what :mod:`.spec` turns into the OpenAPI document)."""

    rule: str
    method: str
    endpoint: str
    summary: str
    roles: frozenset | None  # None: public
    scope: str | None
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | dict | None = None
    status: int = 200
    etag: bool = False
    if_match: bool = False
    many: bool = False
    extra_responses: dict = field(default_factory=dict)


OPERATIONS: list[Operation] = []


# ---- problems -------------------------------------------------------------------------------

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
}
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    415: "unsupported-media-type",
    422: "refused",
    428: "precondition-required",
    429: "rate-limited",
    500: "server-error",
}


class Problem(Exception):
    """Raised inside a view: answered as problem+json."""

    def __init__(self, status: int, detail: str = "", *, errors=None, slug=None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors
        self.slug, self.headers = slug or SLUGS.get(status, "error"), headers or {}


def problem_response(
    status: int, detail: str = "", *, errors=None, slug=None, headers=None
) -> Response:
    body = {
        "type": PROBLEM_TYPES + (slug or SLUGS.get(status, "error")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _routable(methods) -> bool:
    """Whether the URL routes with one of ``methods``. Werkzeug answers 405 when another
    method's rule has the same path even if that rule's converter refuses the value (an id
    above 2³¹): that is a URL of nothing, 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods or ():
        try:
            adapter.match(method=method)
            return True
        except HTTPException:
            continue
    return False


def http_problem(error: HTTPException) -> Response:
    """An ``abort()`` (or an unrouted URL) under ``/api/`` as problem+json."""
    code = error.code or 500
    headers = {}
    valid = getattr(error, "valid_methods", None)
    if code == 405 and not _routable(valid):
        code = 404
    elif code == 405 and valid:
        headers["Allow"] = ", ".join(valid)
    return problem_response(code, "" if code >= 500 else (error.description or ""), headers=headers)


def refusal_problem(error: Exception) -> Response:
    """An operation's refusal: 412 for a stale item, 422 with the rows for a table, else
    422 with the message."""
    if isinstance(error, StaleItem):
        return problem_response(412, str(error), slug="stale")
    if isinstance(error, CountsError):
        return problem_response(
            422,
            str(error),
            errors=[
                {
                    "field": "counts",
                    "municipality_id": m,
                    "category": str(getattr(c, "value", c)),
                    "detail": why,
                }
                for (m, c), why in sorted(error.errors.items(), key=str)
            ],
            slug="counts-refused",
        )
    if isinstance(error, RowsRefused):
        return problem_response(
            422,
            str(error),
            errors=[{"row": e.row, "column": e.column, "detail": e.reason} for e in error.errors],
            slug="rows-refused",
        )
    return problem_response(422, str(error))


def validation_problem(error: ValidationError, where: str) -> Response:
    """marshmallow's messages, one entry per field (``where``: query or body)."""
    return problem_response(
        400, f"Invalid {where}.", errors=_field_errors(error), slug="invalid-" + where
    )


def _field_errors(error: ValidationError) -> list[dict]:
    errors: list[dict] = []

    def walk(messages, path):
        if isinstance(messages, dict):
            for key, value in messages.items():
                walk(value, [*path, str(key)])
        elif isinstance(messages, list) and messages and isinstance(messages[0], str):
            errors.extend({"field": ".".join(path), "detail": m} for m in messages)
        elif isinstance(messages, list):
            for i, m in enumerate(messages):
                walk(m, [*path, str(i)])
        else:
            errors.append({"field": ".".join(path), "detail": str(messages)})

    walk(error.messages, [])
    return errors


# ---- the route decorator ---------------------------------------------------------------------


def _roles(roles) -> frozenset:
    return frozenset(str(r) for r in roles)


def endpoint(
    rule: str,
    *,
    summary: str,
    roles=None,
    scope: str | None = None,
    method: str = "GET",
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response=None,
    status: int = 200,
    many: bool = False,
    etag: bool = False,
    if_match: bool = False,
    public: bool = False,
    extra_responses: dict | None = None,
):
    """Declare an API route. The view receives ``args`` (the parsed query) when it declares
    a query schema; it reads its body with :func:`load_body` after it has loaded its object
    through the scope (so an object outside the scope is 404 whatever the body)."""
    from . import bp

    def decorator(view):
        name = view.__name__

        @functools.wraps(view)
        def wrapper(*a, **kw):
            try:
                if query is not None:
                    try:
                        kw["args"] = query().load(request.args.to_dict(flat=True))
                    except ValidationError as exc:
                        return validation_problem(exc, "query")
                return view(*a, **kw)
            except Problem as p:
                return problem_response(
                    p.status, p.detail, errors=p.errors, slug=p.slug, headers=p.headers
                )

        policy = PUBLIC if public else TokenPolicy(_roles(roles), scope)
        setattr(wrapper, POLICY_ATTR, policy)
        bp.add_url_rule(rule, name, wrapper, methods=[method])
        OPERATIONS.append(
            Operation(
                rule=rule,
                method=method,
                endpoint=f"api.{name}",
                summary=summary,
                roles=None if public else _roles(roles),
                scope=None if public else scope,
                query=query,
                body=body,
                response=response,
                status=status,
                etag=etag,
                if_match=if_match,
                many=many,
                extra_responses=extra_responses or {},
            )
        )
        return wrapper

    return decorator


def load_body(schema: type[Schema]) -> dict:
    payload = request.get_json(silent=True)
    if payload is None:
        raise Problem(415, "Send a JSON body (Content-Type: application/json).")
    try:
        return schema().load(payload)
    except ValidationError as exc:
        raise Problem(
            400, "Invalid body.", errors=_field_errors(exc), slug="invalid-body"
        ) from None


# ---- answers ---------------------------------------------------------------------------------


def json_response(data, status: int = 200, *, etag: str | None = None) -> Response:
    resp = Response(
        json.dumps(data, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/json",
    )
    if etag:
        resp.headers["ETag"] = etag
    return resp


def etag_of(obj) -> str:
    """The strong validator of a versioned row: its optimistic-lock version."""
    return f'"{type(obj).__name__.lower()}-{obj.id}-v{obj.version}"'


def expected_version(obj) -> int:
    """The version the client last saw, from ``If-Match`` (required: 428 without it, 412
    when it is not the row's current ETag)."""
    header = request.headers.get("If-Match")
    if not header:
        raise Problem(428, "Send If-Match with the ETag of the object you read.")
    if header.strip() != etag_of(obj) and header.strip() != "*":
        raise Problem(412, "The object changed since you read it: read it again.", slug="stale")
    return obj.version


def commit(work, *args, **kwargs):
    """Run one operation through the one commit helper; a refusal becomes a problem."""
    outcome = commit_or_refuse(work, *args, show_refusal=False, **kwargs)
    if not outcome.ok:
        raise _RefusalProblem(outcome.error)
    return outcome.result


class _RefusalProblem(Problem):
    def __init__(self, error: Exception):
        resp = refusal_problem(error)
        body = json.loads(resp.get_data())
        super().__init__(
            resp.status_code,
            body.get("detail", ""),
            errors=body.get("errors"),
            slug=body["type"].rsplit("/", 1)[-1],
        )


# ---- cursor pages ----------------------------------------------------------------------------


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**31:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise Problem(
            400, "Invalid cursor.", errors=[{"field": "cursor", "detail": "not a cursor"}]
        ) from None
    return after


def page_response(items: list, dump, limit: int) -> Response:
    """``{"items": [...], "next_cursor": …}`` of a keyset page (``items``: up to limit + 1)."""
    more = len(items) > limit
    items = items[:limit]
    return json_response(
        {
            "items": [dump(i) for i in items],
            "next_cursor": encode_cursor(items[-1].id) if more and items else None,
        }
    )


# ---- recognising the token -------------------------------------------------------------------


def _authenticate():
    """Before every API view: the token decides who acts (never the session cookie)."""
    g._login_user = _anonymous()
    policy = policy_of(current_app, request.endpoint) if request.endpoint else None
    if policy is None or policy == PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="mkr"'}
    if scheme.lower() != "bearer" or not secret.strip():
        return problem_response(
            401, "Send a personal API token: Authorization: Bearer <token>.", headers=challenge
        )
    found = commit_or_refuse(recognise, secret.strip(), show_refusal=False).result
    if found is None or found.token is None:
        return problem_response(
            401,
            "The token is unknown, expired or revoked.",
            headers={"WWW-Authenticate": 'Bearer realm="mkr", error="invalid_token"'},
        )
    if found.retry_after:
        return problem_response(
            429,
            "Too many requests for this token: wait and retry.",
            headers={"Retry-After": str(found.retry_after)},
        )
    token = found.token
    g._login_user = token.user
    g.mkr_context = Context(token.membership.role, token.membership)
    g.api_token_id = token.id
    if str(token.membership.role) not in policy.roles:
        return problem_response(403, "This resource is not available to the token's role.")
    if policy.scope not in (token.scopes or []):
        return problem_response(
            403,
            f"The token lacks the scope {policy.scope}.",
            slug="insufficient-scope",
            headers={
                "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{policy.scope}"'
            },
        )
    return None


def _anonymous():
    return current_app.login_manager.anonymous_user()


def install(bp) -> None:
    csrf.exempt(bp)  # no cookie is ever read here: a forged browser request carries no token
    bp.before_request(_authenticate)
    bp.register_error_handler(HTTPException, http_problem)

    @bp.errorhandler(Exception)
    def _unexpected(error):  # pragma: no cover - a bug; logged, answered in the API's format
        if isinstance(error, HTTPException):
            return http_problem(error)
        if isinstance(error, REFUSALS):
            return refusal_problem(error)
        current_app.logger.exception("API error")
        return problem_response(500)
