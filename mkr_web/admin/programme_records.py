"""Admin: publications about the programme (criterion 6) and partner organisations with the
date each partnership began (criterion 3)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..documents.tables import xlsx_bytes
from ..models import Organization, OrganizationKind, OutletKind, Partnership, Publication
from ..operations import programme as ops
from ..operations.deadlines import today
from ..operations.tenancy import create_organization
from ..queries import programme as q
from ..queries.report import default_year
from ..web.commit import commit_or_refuse
from ..web.forms import Form
from ..web.loading import paginate
from . import bp
from .programme import _year_arg, exported
from .programme_forms import PartnershipForm, PublicationForm

PER_PAGE = 50


def _save_publication(publication, form):
    return ops.save_publication(
        current_tenant(),
        publication,
        title=form.title.data,
        outlet=form.outlet.data,
        outlet_kind=OutletKind(form.outlet_kind.data),
        published_on=form.published_on.data,
        url=form.url.data,
    )


@bp.route("/programme/publications", methods=["GET", "POST"])
@roles(Role.ADMIN)
def publications():
    tenant = current_tenant()
    form = PublicationForm()
    if form.validate_on_submit():
        ok = commit_or_refuse(lambda: _save_publication(None, form)).ok
        if ok:
            flash(_("Публикация добавлена."), "success")
            return redirect(url_for(".publications", year=form.published_on.data.year))
    year = _year_arg()
    page = paginate(q.publications(tenant.id, year), per_page=PER_PAGE)
    return render_template("admin/publications.html", page=page, form=form, year=year)


@bp.route("/programme/publications/<int:publication_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def publication(publication_id: int):
    pub = get_in_tenant_or_404(Publication, publication_id)
    form = PublicationForm(obj=pub, outlet_kind=pub.outlet_kind.value)
    if form.validate_on_submit():
        ok = commit_or_refuse(lambda: _save_publication(pub, form)).ok
        if ok:
            flash(_("Сохранено."), "success")
            return redirect(url_for(".publication", publication_id=pub.id))
    return render_template("admin/publication.html", publication=pub, form=form, bare=Form())


@bp.route("/programme/publications/<int:publication_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def publication_delete(publication_id: int):
    pub = get_in_tenant_or_404(Publication, publication_id)
    if Form().validate_on_submit():
        ok = commit_or_refuse(lambda: ops.delete_publication(pub)).ok
        if ok:
            flash(_("Публикация удалена."), "success")
            return redirect(url_for(".publications"))
    return redirect(url_for(".publication", publication_id=publication_id))


@bp.route("/programme/publications.xlsx")
@roles(Role.ADMIN)
def publications_xlsx():
    tenant = current_tenant()
    year = _year_arg()
    rows = q.all_rows(q.publications(tenant.id, year))
    data = xlsx_bytes(
        "Публикации",
        ["Дата", "Заголовок", "Сайт или издание", "Вид площадки", "Ссылка"],
        [(p.published_on, p.title, p.outlet, p.outlet_kind.title_ru, p.url) for p in rows],
    )
    return exported(data, f"publications-{year or 'all'}.xlsx", "publications", year=year)


def _partnership_form(partnership=None) -> PartnershipForm:
    if partnership is None:
        form = PartnershipForm()
    else:
        form = PartnershipForm(obj=partnership)
    form.organization_id.choices = [(0, "—")] + [
        (o.id, o.name) for o in q.partner_candidates(current_tenant().id)
    ]
    return form


def _save_partnership(partnership, form):
    tenant = current_tenant()
    if form.organization_id.data:
        organization = get_in_tenant_or_404(Organization, form.organization_id.data)
    elif (form.new_name.data or "").strip():
        organization = create_organization(
            tenant, form.new_name.data, OrganizationKind(form.new_kind.data), None
        )
    else:
        organization = None
    return ops.save_partnership(
        tenant,
        partnership,
        organization=organization,
        started_on=form.started_on.data,
        ended_on=form.ended_on.data,
        note=form.note.data,
    )


@bp.route("/programme/partnerships", methods=["GET", "POST"])
@roles(Role.ADMIN)
def partnerships():
    tenant = current_tenant()
    form = _partnership_form()
    if form.validate_on_submit():
        ok = commit_or_refuse(lambda: _save_partnership(None, form)).ok
        if ok:
            flash(_("Партнёрство добавлено."), "success")
            return redirect(url_for(".partnerships"))
    rows = q.all_rows(q.partnerships(tenant.id))
    year = default_year(tenant.id, today())  # the report's year: the latest with data
    return render_template(
        "admin/partnerships.html",
        rows=rows,
        form=form,
        year=year,
        active=sum(
            1
            for p in rows
            if p.started_on.year <= year and (p.ended_on is None or p.ended_on.year >= year)
        ),
    )


@bp.route("/programme/partnerships/<int:partnership_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def partnership(partnership_id: int):
    row = get_in_tenant_or_404(Partnership, partnership_id)
    form = _partnership_form(row)
    if form.validate_on_submit():
        ok = commit_or_refuse(lambda: _save_partnership(row, form)).ok
        if ok:
            flash(_("Сохранено."), "success")
            return redirect(url_for(".partnership", partnership_id=row.id))
    return render_template("admin/partnership.html", partnership=row, form=form, bare=Form())


@bp.route("/programme/partnerships/<int:partnership_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def partnership_delete(partnership_id: int):
    row = get_in_tenant_or_404(Partnership, partnership_id)
    if Form().validate_on_submit():
        ok = commit_or_refuse(lambda: ops.delete_partnership(row)).ok
        if ok:
            flash(_("Партнёрство удалено."), "success")
            return redirect(url_for(".partnerships"))
    return redirect(url_for(".partnership", partnership_id=partnership_id))


@bp.route("/programme/partnerships.xlsx")
@roles(Role.ADMIN)
def partnerships_xlsx():
    tenant = current_tenant()
    rows = q.all_rows(q.partnerships(tenant.id))
    data = xlsx_bytes(
        "Партнёры",
        ["Организация", "Тип", "Начало партнёрства", "Окончание", "Примечание"],
        [
            (p.organization.name, p.organization.kind.title_ru, p.started_on, p.ended_on, p.note)
            for p in rows
        ],
    )
    return exported(data, "partnerships.xlsx", "partnerships")
