"""The OpenAPI 3.1 document, generated from the routes declared with
:func:`.core.endpoint` and their marshmallow schemas (apispec), served at
``/api/v1/openapi.json``, and a browsable page of it at ``/api/v1/docs`` (rendered here, no
script from elsewhere)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template
from marshmallow import Schema

from ..operations.api_tokens import SCOPES
from .core import OPERATIONS, PROBLEM, PROBLEM_TYPES, endpoint, json_response

VERSION = "1.0.0"
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_cache: dict = {}

ERRORS = {
    400: "Invalid query or body (errors name each field)",
    401: "No token, or an unknown, expired or revoked one",
    403: "The token's role or scopes do not reach this resource",
    404: "No such object in the token's scope",
    429: "The token's rate limit is reached (see Retry-After)",
}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(m):
        conv, name = m.group(1), m.group(2)
        schema = (
            {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
            if conv == "int"
            else {"type": "string", "maxLength": 64}
        )
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
        return "{" + name + "}"

    return "/api/v1" + PATH_PARAM.sub(repl, rule), params


def _schema_ref(schema) -> dict:
    return schema if isinstance(schema, dict) else {"$ref": "#/components/schemas/" + _name(schema)}


def _name(schema: type[Schema]) -> str:
    return re.sub(r"Schema$", "", schema.__name__)


def build_spec() -> dict:
    spec = APISpec(
        title="MKR API",
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[
            MarshmallowPlugin(
                schema_name_resolver=lambda s: _name(s if isinstance(s, type) else type(s))
            )
        ],
        info={
            "description": (
                "The regional talent data bank's API. Every request but the verification and "
                "this document carries a personal token (profile → API tokens) as "
                "`Authorization: Bearer <token>`; the token acts in one role of one project, "
                "within its scopes, and sees exactly what that role sees on the pages. "
                "Lists are cursor pages (`limit`, `cursor` → `next_cursor`). Changes take "
                "`If-Match` with the ETag last read. Errors are RFC 9457 problem+json "
                f"(`type` under {PROBLEM_TYPES}), naming the field or row."
            )
        },
    )
    spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "a personal API token"}
    )
    spec.components.schema(
        "Problem",
        {
            "type": "object",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "row": {"type": "integer"},
                            "column": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                    },
                },
            },
        },
    )
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        for schema in (op.body, op.response):
            # (nested schemas were registered with the schema that holds them)
            if isinstance(schema, type) and _name(schema) not in spec.components.schemas:
                spec.components.schema(_name(schema), schema=schema)
        path, params = _path(op.rule)
        if op.query is not None:
            params = params + [{"in": "query", "schema": op.query}]
        if op.if_match:
            params = params + [
                {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}
            ]
        ok: dict = {"description": "OK"}
        if op.response is not None:
            body = _schema_ref(op.response)
            if op.many:
                body = {
                    "type": "object",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "items": body}},
                }
            ok["content"] = {"application/json": {"schema": body}}
        if op.etag or op.if_match:
            ok["headers"] = {"ETag": {"schema": {"type": "string"}}}
        responses = {str(op.status): ok}
        for code, text in op.extra_responses.items():
            responses[str(code)] = dict(ok, description=text)
        errors = dict(ERRORS) if op.roles is not None else {404: ERRORS[404], 429: ERRORS[429]}
        if op.query is None and op.body is None:
            errors.pop(400, None)
        if op.body is not None:
            errors[415] = "The body is not JSON"
            errors[422] = "Refused by a rule (rows name row and column)"
        if op.if_match:
            errors[412] = "The object changed since the ETag was read"
            errors[428] = "If-Match is missing"
        for code, text in sorted(errors.items()):
            responses[str(code)] = {"description": text, "content": problem}
        operation = {
            "operationId": op.endpoint.split(".", 1)[1],
            "summary": op.summary,
            "parameters": params,
            "responses": responses,
        }
        if op.roles is not None:
            operation["security"] = [{"token": []}]
            operation["description"] = f"Roles: {', '.join(sorted(op.roles))}. Scope: `{op.scope}`."
            operation["x-scope"] = op.scope
        else:
            operation["security"] = []
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema_ref(op.body)}},
            }
        paths.setdefault(path, {})[op.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["x-scopes"] = {k: title for k, (title, _roles) in SCOPES.items()}
    return document


def document() -> dict:
    key = id(current_app._get_current_object())
    if key not in _cache:
        _cache[key] = build_spec()
    return _cache[key]


@endpoint("/openapi.json", summary="This OpenAPI 3.1 document", public=True)
def openapi():
    resp = json_response(document())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@endpoint("/docs", summary="A browsable page of this document (HTML)", public=True)
def docs():
    resp = current_app.make_response(render_template("api/docs.html", spec=document()))
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
