"""Admin: opportunities (internships, practice, profile shifts, expert roles) and the persons
placed on them (criterion 5). Publications and partnerships live in ``programme_records``."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..documents.tables import add_sheet, new_workbook, workbook_bytes
from ..models import Opportunity, OpportunityKind, Organization, Person, Placement
from ..operations import programme as ops
from ..operations.audit import record
from ..operations.deadlines import today
from ..queries import programme as q
from ..queries.report import default_year
from ..web.commit import commit_or_refuse
from ..web.forms import Form, int_or_none
from ..web.loading import paginate
from . import bp
from .programme_forms import OpportunityForm, PersonSearchForm, PlacementForm

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> Response:
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def exported(data: bytes, filename: str, table: str, **details) -> Response:
    """A programme table as XLSX; the export is audited (which table, the year filter)."""
    commit_or_refuse(
        record, "programme.export", None, tenant_id=current_tenant().id, table=table, **details
    )
    return xlsx_response(data, filename)


def partner_choices(tenant_id: int) -> list[tuple[int, str]]:
    return [(0, "—")] + [(o.id, o.name) for o in q.partner_candidates(tenant_id)]


def _partner(form) -> Organization | None:
    return (
        get_in_tenant_or_404(Organization, form.partner_id.data) if form.partner_id.data else None
    )


def _save_opportunity(form: OpportunityForm, opp: Opportunity | None, success: str):
    """The form's opportunity saved (a new one when ``opp`` is None), committed once."""
    return commit_or_refuse(
        lambda: ops.save_opportunity(
            current_tenant(),
            opp,
            kind=OpportunityKind(form.kind.data),
            title=form.title.data,
            year=form.year.data,
            partner=_partner(form),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        ),
        success=success,
    )


def _year_arg() -> int | None:
    return int_or_none(request.args.get("year"))


@bp.route("/programme/opportunities", methods=["GET", "POST"])
@roles(Role.ADMIN)
def opportunities():
    tenant = current_tenant()
    form = OpportunityForm()
    form.partner_id.choices = partner_choices(tenant.id)
    if form.validate_on_submit():
        outcome = _save_opportunity(form, None, _("Возможность добавлена."))
        if outcome.ok:
            return redirect(url_for(".opportunity", opportunity_id=outcome.result.id))
    year = _year_arg()
    page = paginate(q.opportunities(tenant.id, year), per_page=PER_PAGE)
    # the list is of every year unless one is asked for; the figure is of that year, or else
    # of the report's year (the latest with data)
    placed_year = year or default_year(tenant.id, today())
    return render_template(
        "admin/opportunities.html",
        page=page,
        form=form,
        year=year,
        placed_year=placed_year,
        placed=q.distinct_placed(tenant.id, placed_year),
        counts=q.placement_counts([o.id for o in page.items]),
    )


def _render_opportunity(opp, form=None, search=None, results=None, status=200):
    form = form or OpportunityForm(obj=opp, kind=opp.kind.value, partner_id=opp.partner_id or 0)
    form.partner_id.choices = partner_choices(opp.tenant_id)
    placements = q.placements_of(opp.tenant_id, [opp.id])
    placed_ids = {p.person_id for p in placements}
    return render_template(
        "admin/opportunity.html",
        opportunity=opp,
        form=form,
        search=search or PersonSearchForm(),
        results=results,
        placements=placements,
        placed_ids=placed_ids,
        placement_form=PlacementForm(),
        bare=Form(),
    ), status


@bp.route("/programme/opportunities/<int:opportunity_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def opportunity(opportunity_id: int):
    opp = get_in_tenant_or_404(Opportunity, opportunity_id)
    if request.method == "POST":
        form = OpportunityForm()
        form.partner_id.choices = partner_choices(opp.tenant_id)
        if not form.validate_on_submit():
            return _render_opportunity(opp, form=form, status=400)
        _save_opportunity(form, opp, _("Сохранено."))
        return redirect(url_for(".opportunity", opportunity_id=opp.id))
    return _render_opportunity(opp)


@bp.route("/programme/opportunities/<int:opportunity_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def opportunity_delete(opportunity_id: int):
    opp = get_in_tenant_or_404(Opportunity, opportunity_id)
    if Form().validate_on_submit():
        year = opp.year
        ok = commit_or_refuse(lambda: ops.delete_opportunity(opp)).ok
        if ok:
            flash(_("Возможность удалена."), "success")
            return redirect(url_for(".opportunities", year=year))
    return redirect(url_for(".opportunity", opportunity_id=opportunity_id))


@bp.route("/programme/opportunities/<int:opportunity_id>/search", methods=["POST"])
@roles(Role.ADMIN)
def opportunity_search(opportunity_id: int):
    # POST, so that names never appear in URLs or access logs
    opp = get_in_tenant_or_404(Opportunity, opportunity_id)
    search = PersonSearchForm()
    if not search.validate_on_submit():
        return _render_opportunity(opp, search=search, status=400)
    return _render_opportunity(
        opp, search=search, results=q.search_persons(opp.tenant_id, search.q.data)
    )


@bp.route("/programme/opportunities/<int:opportunity_id>/placements", methods=["POST"])
@roles(Role.ADMIN)
def placement_add(opportunity_id: int):
    opp = get_in_tenant_or_404(Opportunity, opportunity_id)
    form = PlacementForm()
    if not form.validate_on_submit():
        abort(400)
    person = get_in_tenant_or_404(Person, int_or_none(form.person_id.data) or 0)
    ok = commit_or_refuse(lambda: ops.add_placement(opp, person, form.placed_on.data)).ok
    if ok:
        flash(_("Участник добавлен."), "success")
    return redirect(url_for(".opportunity", opportunity_id=opp.id))


@bp.route("/programme/placements/<int:placement_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def placement_delete(placement_id: int):
    placement = get_in_tenant_or_404(Placement, placement_id)
    opportunity_id = placement.opportunity_id
    if Form().validate_on_submit():
        ok = commit_or_refuse(lambda: ops.remove_placement(placement)).ok
        if ok:
            flash(_("Участник убран."), "success")
    return redirect(url_for(".opportunity", opportunity_id=opportunity_id))


@bp.route("/programme/opportunities.xlsx")
@roles(Role.ADMIN)
def opportunities_xlsx():
    tenant = current_tenant()
    year = _year_arg()
    rows = q.all_rows(q.opportunities(tenant.id, year))
    counts = q.placement_counts([o.id for o in rows])
    wb = new_workbook()
    add_sheet(
        wb,
        "Возможности",
        ["Вид", "Название", "Организация-партнёр", "Год", "Начало", "Окончание", "Участников"],
        [
            (
                o.kind.title_ru,
                o.title,
                o.partner.name if o.partner else "",
                o.year,
                o.starts_on,
                o.ends_on,
                counts.get(o.id, 0),
            )
            for o in rows
        ],
    )
    placements = q.placements_of(tenant.id, [o.id for o in rows])
    add_sheet(
        wb,
        "Участники",
        ["Возможность", "Вид", "ФИО", "Статус", "Муниципалитет", "Дата участия"],
        [
            (
                p.opportunity.title,
                p.opportunity.kind.title_ru,
                p.person.full_name,
                p.person.status.title_ru,
                p.person.municipality.name if p.person.municipality else "",
                p.placed_on,
            )
            for p in placements
        ],
    )
    return exported(
        workbook_bytes(wb), f"opportunities-{year or 'all'}.xlsx", "opportunities", year=year
    )
