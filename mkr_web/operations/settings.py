"""Changing a tenant's settings: the report's criteria thresholds (audited)."""

from __future__ import annotations

from ..documents.formats import RUSSIAN_ZONES, is_zone
from ..errors import OperationError
from ..models import Tenant
from ..queries.report import thresholds_of
from .audit import record

MAX_THRESHOLD = 1_000_000


def update_thresholds(tenant: Tenant, values: dict[str, int]) -> dict[str, list[int]]:
    """Set the thresholds given in ``values``; returns ``{key: [old, new]}`` of the changed ones."""
    current = thresholds_of(tenant)
    unknown = sorted(set(values) - set(current))
    if unknown:
        raise OperationError(f"Неизвестные пороговые значения: {', '.join(unknown)}.")
    for key, value in values.items():
        if not isinstance(value, int) or not 0 <= value <= MAX_THRESHOLD:
            raise OperationError(
                f"Пороговое значение «{key}» должно быть целым числом от 0 до {MAX_THRESHOLD}."
            )
    changed = {k: [current[k], v] for k, v in values.items() if current[k] != v}
    if not changed:
        return {}
    settings = dict(tenant.settings or {})
    settings["thresholds"] = {**current, **values}
    tenant.settings = settings  # a new dict, so the JSON column is written
    record("tenant.thresholds.update", tenant, tenant_id=tenant.id, changed=changed)
    return changed


DEADLINE_KEYS = ("review_days", "confirmation_days")
MAX_DEADLINE_DAYS = 180


def update_deadlines(tenant: Tenant, values: dict[str, int]) -> dict[str, list[int]]:
    """Set the days an expert has for a review and a coordinator for a confirmation (they
    apply to deadlines that start from now on); returns the changed ``{key: [old, new]}``."""
    unknown = sorted(set(values) - set(DEADLINE_KEYS))
    if unknown:
        raise OperationError(f"Неизвестные настройки: {', '.join(unknown)}.")
    for value in values.values():
        if not isinstance(value, int) or not 1 <= value <= MAX_DEADLINE_DAYS:
            raise OperationError(f"Срок должен быть целым числом дней от 1 до {MAX_DEADLINE_DAYS}.")
    current = {k: int(tenant.setting(k)) for k in DEADLINE_KEYS}
    changed = {k: [current[k], v] for k, v in values.items() if current[k] != v}
    if not changed:
        return {}
    tenant.settings = {**(tenant.settings or {}), **values}
    record("tenant.deadlines.update", tenant, tenant_id=tenant.id, changed=changed)
    return changed


PDATA_KEYS = {"consent_years": (1, 20), "retention_years": (1, 75)}


def update_personal_data_settings(tenant: Tenant, values: dict[str, int]) -> dict[str, list[int]]:
    """How long a consent lasts after 18 and how long data stays after leaving or withdrawal
    (docs/PERSONAL_DATA.md); new consents and the next retention list use them."""
    unknown = sorted(set(values) - set(PDATA_KEYS))
    if unknown:
        raise OperationError(f"Неизвестные настройки: {', '.join(unknown)}.")
    for key, value in values.items():
        low, high = PDATA_KEYS[key]
        if not isinstance(value, int) or not low <= value <= high:
            raise OperationError(f"Срок должен быть целым числом лет от {low} до {high}.")
    current = {k: int(tenant.setting(k)) for k in PDATA_KEYS}
    changed = {k: [current[k], v] for k, v in values.items() if current[k] != v}
    if not changed:
        return {}
    tenant.settings = {**(tenant.settings or {}), **values}
    record("tenant.personal_data.update", tenant, tenant_id=tenant.id, changed=changed)
    return changed


def update_time_zone(tenant: Tenant, zone: str) -> bool:
    """Set the zone every time of the tenant is shown in (pages, mails, documents); audited.
    Returns whether it changed."""
    if zone not in RUSSIAN_ZONES or not is_zone(zone):
        raise OperationError(f"Неизвестный часовой пояс: {zone}.")
    old = tenant.setting("time_zone")
    if old == zone:
        return False
    tenant.settings = {**(tenant.settings or {}), "time_zone": zone}
    record("tenant.time_zone.update", tenant, tenant_id=tenant.id, changed=[old, zone])
    return True
