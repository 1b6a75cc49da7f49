"""Admin: likely duplicate persons (pairs with a score, searched nightly or now), dismissing a
pair, and merging the two records field by field (operations.merge)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..models import DuplicatePair
from ..operations.duplicates import dismiss_pair, find_duplicates
from ..operations.merge import MERGE_FIELDS, merge_persons
from ..queries.duplicates import open_pairs
from ..queries.privacy import linked_counts
from ..web.commit import commit_or_refuse
from ..web.confirm import confirmation_page
from ..web.forms import Form, parse_version
from ..web.loading import paginate
from ..web.people import FIELD_TITLES, person_or_404
from . import bp

COUNT_TITLES = {
    "statuses": _l("Изменений статуса"),
    "consents": _l("Согласий"),
    "achievements": _l("Достижений"),
    "participations": _l("Участий"),
    "placements": _l("Стажировок и практик"),
}


@bp.route("/duplicates")
@roles(Role.ADMIN)
def duplicates():
    page = paginate(open_pairs(current_tenant().id))
    return render_template("admin/duplicates.html", page=page, form=Form())


@bp.route("/duplicates/search", methods=["POST"])
@roles(Role.ADMIN)
def duplicates_search():
    if Form().validate_on_submit():
        outcome = commit_or_refuse(find_duplicates, current_tenant().id)
        if outcome.ok:
            flash(_("Поиск завершён: пар %(n)s.", n=outcome.result["pairs"]), "success")
    return redirect(url_for(".duplicates"))


@bp.route("/duplicates/<int:pair_id>/dismiss", methods=["POST"])
@roles(Role.ADMIN)
def duplicate_dismiss(pair_id: int):
    pair = get_in_tenant_or_404(DuplicatePair, pair_id)
    if Form().validate_on_submit():
        commit_or_refuse(dismiss_pair, pair, success=_("Пара отмечена: это разные люди."))
    return redirect(url_for(".duplicates"))


def _display(person, field: str) -> str:
    if field == "organization_id":
        return person.organization.name if person.organization else ""
    if field == "municipality_id":
        return person.municipality.name if person.municipality else ""
    value = getattr(person, field)
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if field == "birth_on" else str(value)


@bp.route("/duplicates/<int:pair_id>/merge", methods=["GET", "POST"])
@roles(Role.ADMIN)
def duplicate_merge(pair_id: int):
    pair = get_in_tenant_or_404(DuplicatePair, pair_id)
    a, b = person_or_404(pair.person_a_id), person_or_404(pair.person_b_id)
    form = Form()
    rows = [
        (f, FIELD_TITLES[f], _display(a, f), _display(b, f), not getattr(a, f) and getattr(b, f))
        for f in MERGE_FIELDS
    ]
    if request.method == "POST" and form.validate_on_submit():
        survivor_side = request.form.get("survivor") == "b" and "b" or "a"
        survivor, other = (a, b) if survivor_side == "a" else (b, a)
        take = {
            f
            for f in MERGE_FIELDS
            if request.form.get(f"field-{f}", survivor_side) != survivor_side
        }
        ask = confirmation_page(
            _(
                "Объединить записи № %(a)s и № %(b)s? Запись № %(gone)s будет удалена, всё "
                "связанное с ней перейдёт к записи № %(kept)s.",
                a=a.id,
                b=b.id,
                gone=other.id,
                kept=survivor.id,
            ),
            back=url_for(".duplicate_merge", pair_id=pair.id),
        )
        if ask is not None:
            return ask
        versions = {
            "a": parse_version(request.form.get("version-a")),
            "b": parse_version(request.form.get("version-b")),
        }
        other_side = "b" if survivor_side == "a" else "a"
        outcome = commit_or_refuse(
            merge_persons,
            survivor,
            other,
            take=take,
            user_id=current_user.id,
            survivor_version=versions[survivor_side],
            merged_version=versions[other_side],
            success=_("Записи объединены."),
        )
        if outcome.ok:
            return redirect(url_for(".person", person_id=survivor.id) + "#merges")
    return render_template(
        "admin/merge.html",
        pair=pair,
        a=a,
        b=b,
        rows=rows,
        form=form,
        counts=linked_counts([a.id, b.id]),
        titles=COUNT_TITLES,
    )
