"""Matching a social-network group's member list (CSV/XLSX: id, name, profile link) against
the bank. Each member is matched by profile link first (``Person.social_url``, normalised),
then by name (the first two words, in either order: networks show "Имя Фамилия"), and put
in one of three groups: active Residents, potential Residents or partners (alumni), and
unknown members. Chosen unknown members can be marked as potential Residents."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from workflows.lifecycle import PersonStatus

from ..errors import ImportRefused
from ..extensions import db
from ..models import Person, normalize_name
from ..operations.people import mark_potential_many, normalize_social_url
from .base import Importer
from .spec import Column, TableSpec, Text, Url

ACTIVE, KNOWN, UNKNOWN = "active", "known", "unknown"
GROUP_OF = {
    PersonStatus.RESIDENT_SCHOOL: ACTIVE,
    PersonStatus.RESIDENT_STUDENT: ACTIVE,
    PersonStatus.POTENTIAL: KNOWN,
    PersonStatus.ALUMNI: KNOWN,
}
# Statuses in which a matched member may still be marked potential (the lifecycle allows it).
MARKABLE = (PersonStatus.NONE,)

SOCIAL_SPEC = TableSpec(
    name="social",
    title="Участники сообщества",
    columns=(
        Column(
            "member_id",
            "id",
            Text(40),
            aliases=("ид", "идентификатор", "id пользователя", "user id", "vk id"),
        ),
        Column(
            "full_name",
            "Имя",
            Text(200),
            True,
            aliases=("имя фамилия", "фио", "name", "пользователь", "участник"),
        ),
        Column(
            "link",
            "Ссылка",
            Url(),
            aliases=("ссылка на профиль", "профиль", "link", "url", "profile", "страница"),
        ),
    ),
)


def name_key(text: str | None) -> frozenset | None:
    words = normalize_name(text).split()
    return frozenset(words[:2]) if len(words) >= 2 else None


def split_name(full_name: str) -> tuple[str, str, str | None] | None:
    """(surname, name, patronymic): "Имя Фамилия" as networks show it; three words are read
    in the official order "Фамилия Имя Отчество"."""
    words = full_name.split()
    if len(words) == 2:
        return words[1], words[0], None
    if len(words) == 3:
        return words[0], words[1], words[2]
    return None


class SocialMatcher(Importer):
    spec = SOCIAL_SPEC
    allow_partial = True

    def annotate(self, tenant_id: int, table, rows: list[dict]) -> None:
        persons = db.session.execute(
            sa.select(Person.id, Person.search_name, Person.social_url, Person.status).where(
                Person.tenant_id == tenant_id
            )
        ).all()
        by_link, by_name = {}, {}
        for pid, search_name, url, status in persons:
            if url:
                by_link.setdefault(normalize_social_url(url), (pid, status))
            key = name_key(search_name)
            if key:
                best = by_name.get(key)
                if best is None or _rank(status) < _rank(best[1]):
                    by_name[key] = (pid, status)
        for row in rows:
            if row["errors"]:
                continue  # shown among the errors, left out of the groups
            v = row["values"]
            link = v.get("link")
            if not link and (v.get("member_id") or "").isdigit():
                link = f"https://vk.com/id{v['member_id']}"
                v["link"] = link
            found, how = by_link.get(normalize_social_url(link)) if link else None, "link"
            if found is None:
                found, how = by_name.get(name_key(v.get("full_name"))), "name"
            if found is None:
                row["match"] = {
                    "group": UNKNOWN,
                    "person_id": None,
                    "status": None,
                    "how": None,
                    "markable": split_name(v.get("full_name") or "") is not None,
                }
                continue
            pid, status = found
            status = PersonStatus(status)
            row["match"] = {
                "group": GROUP_OF.get(status, UNKNOWN),
                "person_id": pid,
                "status": status.value,
                "how": how,
                "markable": status in MARKABLE,
            }

    def commit(self, tenant_id: int, rows: list[dict], decisions: dict, user, *, role: str) -> dict:
        """Mark the chosen rows (``decisions["rows"]``: row numbers) as potential."""
        chosen = set(decisions.get("rows", ()))
        members = []
        for row in rows:
            if row["row"] not in chosen:
                continue
            m = row["match"]
            if m["group"] != UNKNOWN or not m["markable"]:
                raise ImportRefused(
                    f"Строку {row['row']} нельзя отметить как потенциального резидента."
                )
            if m["person_id"]:
                members.append({"person_id": m["person_id"]})
            else:
                surname, name, patronymic = split_name(row["values"]["full_name"])
                members.append(
                    {
                        "surname": surname,
                        "name": name,
                        "patronymic": patronymic,
                        "social_url": row["values"].get("link"),
                    }
                )
        if not members:
            raise ImportRefused("Отметьте хотя бы одного участника.")
        mark_potential_many(tenant_id, members, role=role, user_id=user.id, on=date.today())
        return {"created": sum(1 for m in members if "person_id" not in m), "marked": len(members)}


def _rank(status) -> int:
    order = [
        PersonStatus.RESIDENT_SCHOOL,
        PersonStatus.RESIDENT_STUDENT,
        PersonStatus.POTENTIAL,
        PersonStatus.ALUMNI,
        PersonStatus.NONE,
        PersonStatus.EXCLUDED,
    ]
    return order.index(PersonStatus(status))
