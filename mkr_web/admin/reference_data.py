"""Admin: the tenant's reference data (issue 11): municipalities (create, rename, order,
retire, delete when nothing refers to them), organisations merged into one, both imported from
XLSX/CSV through the one import machinery and exported as XLSX."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from workflows.roles import Role

from ..access import current_tenant, get_in_tenant_or_404, roles
from ..documents.reference_export import reference_xlsx
from ..imports.reference import MunicipalityImporter, OrganizationImporter
from ..models import Municipality, MunicipalityKind, Organization
from ..operations.reference import (
    create_municipality,
    delete_municipality,
    merge_organizations,
    retire_municipality,
    update_municipality,
)
from ..queries.reference import organizations_of
from ..web import imports as pages
from ..web.commit import commit_or_refuse
from ..web.confirm import confirmation_page
from . import bp
from .forms import ActionForm, MergeForm, MunicipalityForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTERS = {
    "municipalities": (MunicipalityImporter, _l("Импорт муниципалитетов")),
    "organizations": (OrganizationImporter, _l("Импорт организаций")),
}


@bp.route("/municipalities/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def municipality_new():
    form = MunicipalityForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            create_municipality,
            current_tenant(),
            form.name.data,
            MunicipalityKind(form.kind.data),
            sort_order=form.sort_order.data,
            aliases=form.aliases.data,
            success=_("Муниципалитет добавлен."),
        )
        if outcome.ok:
            return redirect(url_for(".reference"))
    return render_template("admin/municipality_form.html", form=form, municipality=None)


@bp.route("/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def municipality_edit(municipality_id: int):
    muni = get_in_tenant_or_404(Municipality, municipality_id)
    form = MunicipalityForm(obj=muni, kind=muni.kind.value)
    if not form.is_submitted():  # a list on the row, one per line in the form
        form.aliases.data = "\n".join(muni.aliases or [])
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            update_municipality,
            muni,
            form.name.data,
            MunicipalityKind(form.kind.data),
            form.sort_order.data if form.sort_order.data is not None else muni.sort_order,
            form.aliases.data,
            success=_("Сохранено."),
        )
        if outcome.ok:
            return redirect(url_for(".municipality", municipality_id=muni.id))
    return render_template(
        "admin/municipality_form.html", form=form, municipality=muni, action=ActionForm()
    )


@bp.route("/municipalities/<int:municipality_id>/retire", methods=["POST"])
@roles(Role.ADMIN)
def municipality_retire(municipality_id: int):
    muni = get_in_tenant_or_404(Municipality, municipality_id)
    if ActionForm().validate_on_submit():
        retire = request.form.get("retire") == "1"
        commit_or_refuse(
            retire_municipality,
            muni,
            retire,
            success=_("Муниципалитет выведен из употребления.")
            if retire
            else _("Муниципалитет снова в употреблении."),
        )
    return redirect(url_for(".municipality", municipality_id=muni.id))


@bp.route("/municipalities/<int:municipality_id>/delete", methods=["POST"])
@roles(Role.ADMIN)
def municipality_delete(municipality_id: int):
    muni = get_in_tenant_or_404(Municipality, municipality_id)
    back = url_for(".municipality", municipality_id=muni.id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    page = confirmation_page(_("Удалить муниципалитет «%(n)s»?", n=muni.name), back=back)
    if page is not None:
        return page
    if commit_or_refuse(delete_municipality, muni, success=_("Муниципалитет удалён.")).ok:
        return redirect(url_for(".reference"))
    return redirect(back)


@bp.route("/organizations/<int:organization_id>/merge", methods=["POST"])
@roles(Role.ADMIN)
def organization_merge(organization_id: int):
    source = get_in_tenant_or_404(Organization, organization_id)
    form = MergeForm()
    form.target_id.choices = [(o.id, o.name) for o in organizations_of(source.tenant_id)]
    back = url_for(".organization", organization_id=source.id)
    if not form.validate_on_submit():
        flash(_("Выберите организацию."), "danger")
        return redirect(back)
    target = get_in_tenant_or_404(Organization, form.target_id.data)
    page = confirmation_page(
        _(
            "Объединить «%(s)s» с «%(t)s»? Все ссылки перейдут ко второй.",
            s=source.name,
            t=target.name,
        ),
        back=back,
    )
    if page is not None:
        return page
    outcome = commit_or_refuse(
        merge_organizations,
        source,
        target,
        success=_("Организации объединены."),
    )
    if outcome.ok:
        return redirect(url_for(".organization", organization_id=target.id))
    return redirect(back)


@bp.route("/reference/export.xlsx")
@roles(Role.ADMIN)
def reference_export():
    return Response(
        reference_xlsx(current_tenant().id),
        mimetype=XLSX,
        headers={"Content-Disposition": 'attachment; filename="reference.xlsx"'},
    )


def _importer(kind: str):
    return IMPORTERS[kind][0]()


def _upload(kind: str):
    return pages.upload(
        _importer(kind),
        "admin/reference_import.html",
        lambda preview_id: redirect(url_for(f".{kind}_import_preview", preview_id=preview_id)),
        kind=kind,
        title=IMPORTERS[kind][1],
    )


def _preview(kind: str, preview_id: int):
    def loaded(result: dict):
        flash(
            _(
                "Загружено: новых %(c)d, обновлено %(u)d.",
                c=result["created"],
                u=result["updated"],
            ),
            "success",
        )
        return redirect(url_for(".reference"))

    def render(payload: dict, form):
        rows = payload["rows"]
        return render_template(
            "admin/reference_import_preview.html",
            kind=kind,
            title=IMPORTERS[kind][1],
            shown=rows[:500],
            new=sum(1 for r in rows if r.get("match") and not r["match"]["id"]),
            known=sum(1 for r in rows if r.get("match") and r["match"]["id"]),
            **pages.preview_context(payload, form),
        )

    return pages.preview(
        _importer(kind),
        preview_id,
        render=render,
        done=loaded,
        back=url_for(f".{kind}_import"),
    )


@bp.route("/reference/municipalities/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def municipalities_import():
    return _upload("municipalities")


@bp.route("/reference/municipalities/import/template.xlsx")
@roles(Role.ADMIN)
def municipalities_import_template():
    return pages.template_download(_importer("municipalities"), "municipalities-template.xlsx")


@bp.route("/reference/municipalities/import/<int:preview_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def municipalities_import_preview(preview_id: int):
    return _preview("municipalities", preview_id)


@bp.route("/reference/organizations/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organizations_import():
    return _upload("organizations")


@bp.route("/reference/organizations/import/template.xlsx")
@roles(Role.ADMIN)
def organizations_import_template():
    return pages.template_download(_importer("organizations"), "organizations-template.xlsx")


@bp.route("/reference/organizations/import/<int:preview_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organizations_import_preview(preview_id: int):
    return _preview("organizations", preview_id)
