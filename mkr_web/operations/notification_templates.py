"""A tenant's own wording of a notification kind: check, save, reset to the default, preview.

Templates are Jinja run in :data:`.notifications.TEMPLATES` (a sandbox with StrictUndefined).
:func:`template_problems` names what is wrong (a syntax error, an unknown placeholder, a
forbidden attribute) per field, so the page shows it as a form error; saving refuses the same.
"""

from __future__ import annotations

import sqlalchemy as sa
from jinja2 import TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateError

from ..documents.formats import counted
from ..errors import OperationError
from ..extensions import db
from ..models import NotificationTemplate, Tenant
from .audit import record
from .notification_kinds import KINDS, Kind
from .notifications import TEMPLATES, render_text

MAX_SUBJECT = 300
MAX_BODY = 5000


def editable_kind(key: str) -> Kind:
    kind = KINDS.get(key)
    if kind is None or not kind.configurable:
        raise OperationError("Неизвестный вид уведомлений.")
    return kind


def _problem(kind: Kind, source: str, limit: int) -> str | None:
    if not source.strip():
        return "Заполните поле."
    if len(source) > limit:
        return f"Не длиннее {counted(limit, 'символа', 'символов', 'символов')}."
    try:
        names = meta.find_undeclared_variables(TEMPLATES.parse(source))
    except TemplateSyntaxError as exc:
        return f"Ошибка в шаблоне (строка {exc.lineno}): {exc.message}"
    unknown = sorted(names - set(kind.example))
    if unknown:
        allowed = ", ".join(sorted(kind.example))
        return (
            "Неизвестная подстановка: "
            + ", ".join("{{ " + n + " }}" for n in unknown)
            + f". Доступны: {allowed}."
        )
    try:
        TEMPLATES.from_string(source).render(**kind.example)
    except SecurityError:
        return "Шаблон обращается к недоступным свойствам."
    except TemplateError as exc:
        return f"Шаблон не выполняется: {exc}"
    return None


def template_problems(key: str, subject: str, body: str) -> dict[str, str]:
    """``{"subject"|"body": message}``; empty when both are fine."""
    kind = editable_kind(key)
    problems = {
        "subject": _problem(kind, subject or "", MAX_SUBJECT),
        "body": _problem(kind, body or "", MAX_BODY),
    }
    return {k: v for k, v in problems.items() if v}


def save_template(tenant: Tenant, key: str, subject: str, body: str, *, user_id: int | None):
    problems = template_problems(key, subject, body)
    if problems:
        raise OperationError(" ".join(problems.values()))
    row = db.session.execute(
        sa.select(NotificationTemplate).where(
            NotificationTemplate.tenant_id == tenant.id, NotificationTemplate.kind == key
        )
    ).scalar_one_or_none()
    if row is None:
        row = NotificationTemplate(tenant_id=tenant.id, kind=key, subject=subject, body=body)
        db.session.add(row)
    row.subject, row.body, row.updated_by_id = subject.strip(), body.strip(), user_id
    db.session.flush()
    record("notification_template.save", row, tenant_id=tenant.id, kind=key)
    return row


def reset_template(tenant: Tenant, key: str) -> bool:
    """Back to the default wording; False when it already was."""
    editable_kind(key)
    row = db.session.execute(
        sa.select(NotificationTemplate).where(
            NotificationTemplate.tenant_id == tenant.id, NotificationTemplate.kind == key
        )
    ).scalar_one_or_none()
    if row is None:
        return False
    record("notification_template.reset", row, tenant_id=tenant.id, kind=key)
    db.session.delete(row)
    db.session.flush()
    return True


def preview(tenant: Tenant, key: str, subject: str, body: str) -> tuple[str, str, bool]:
    """``(subject, body, from_real_object)``: rendered with the tenant's latest object of the
    kind (the example values when the tenant has none yet)."""
    kind = editable_kind(key)
    context = kind.sample(tenant.id)
    real = context is not None
    return (
        render_text(subject, context or kind.example),
        render_text(body, context or kind.example),
        real,
    )


def custom_kinds(tenant_id: int) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(NotificationTemplate.kind).where(NotificationTemplate.tenant_id == tenant_id)
        )
    )
