"""``flask mkr demo``: the demo tenant "tomsk"."""

from __future__ import annotations

import click

from ..demo import DEMO_USERS, load_demo
from .commit import commit_or_fail

#: What the demo creates, as the summary names it (the keys are the loaders' table names).
SUMMARY = {
    "tenant": "проект",
    "users": "учётные записи",
    "municipalities": "муниципалитеты",
    "organizations": "организации",
    "persons": "карточки людей",
    "consents": "согласия на обработку персональных данных",
    "achievements": "достижения",
    "projects": "проекты",
    "event_events": "мероприятия",
    "event_editions": "проведения мероприятий",
    "event_counts": "строки учёта участников",
    "event_applications": "заявки на аккредитацию",
    "event_certificates": "свидетельства об аккредитации",
    "admission_batches": "протоколы результатов",
    "admission_candidates": "кандидаты в резиденты",
    "nominations": "выдвижения",
    "nomination_opportunities": "возможности из выдвижений",
    "opportunities": "возможности (практики, стажировки, смены)",
    "placements": "участия в возможностях",
    "partner_organizations": "организации-партнёры",
    "partnerships": "партнёрства",
    "publications": "публикации",
}


def summary(created: dict[str, int]) -> list[str]:
    """One line per kind, in the order above (kinds not listed come last, as they are)."""
    order = {key: i for i, key in enumerate(SUMMARY)}
    keys = sorted(created, key=lambda k: (order.get(k, len(order)), k))
    return [f"  {SUMMARY.get(k, k)}: {created[k]}" for k in keys]


@click.command("demo")
@click.option("--password", default="demo-password", show_default=True)
def demo_cmd(password: str) -> None:
    """Load the demo tenant 'tomsk' (idempotent) and print the demo logins."""
    created = commit_or_fail(load_demo, password)
    if created:
        click.echo("Создано:")
        for line in summary(created):
            click.echo(line)
    else:
        click.echo("Демо-данные уже загружены: ничего не изменилось.")
    click.echo(f"Демо-входы (пароль для всех: {password}):")
    for email, role, munis, org, _ in DEMO_USERS:
        scope = ", ".join(munis) or (org or "")
        click.echo(f"  {role.title_ru:27} {email}" + (f"  [{scope}]" if scope else ""))
