"""Admin: the tenant's look on its documents (operator, signatory, logo, signature, stamp,
colours) and a preview of each certificate kind in it."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Regexp

from workflows.roles import Role

from ..access import current_tenant, roles
from ..documents.branding import settings_of
from ..models import CertificateKind
from ..operations.branding import certificate_preview, update_branding
from ..web.commit import commit_or_refuse
from ..web.forms import Form
from . import bp

COLOUR = Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Цвет задаётся как #RRGGBB."))


class BrandingForm(Form):
    operator_name = StringField(_l("Полное название оператора"), validators=[Length(max=300)])
    operator_short_name = StringField(
        _l("Краткое название оператора"), validators=[Length(max=100)]
    )
    signatory = StringField(_l("Подписант: ФИО"), validators=[Length(max=200)])
    signatory_position = StringField(_l("Подписант: должность"), validators=[Length(max=200)])
    primary_colour = StringField(_l("Основной цвет"), validators=[COLOUR])
    accent_colour = StringField(_l("Дополнительный цвет"), validators=[COLOUR])
    logo = FileField(_l("Логотип (PNG, JPEG или SVG, до 512 КБ)"))
    signature = FileField(_l("Подпись (PNG, JPEG или SVG, до 512 КБ)"))
    stamp = FileField(_l("Печать (PNG, JPEG или SVG, до 512 КБ)"))
    remove_logo = BooleanField(_l("Убрать логотип"))
    remove_signature = BooleanField(_l("Убрать подпись"))
    remove_stamp = BooleanField(_l("Убрать печать"))


@bp.route("/settings/branding", methods=["GET", "POST"])
@roles(Role.ADMIN)
def settings_branding():
    tenant = current_tenant()
    stored = settings_of(tenant)
    form = BrandingForm(
        data={
            "operator_name": tenant.operator_name or "",
            "operator_short_name": stored.get("operator_short_name", ""),
            "signatory": tenant.signatory or "",
            "signatory_position": stored.get("signatory_position", ""),
            "primary_colour": stored["primary_colour"],
            "accent_colour": stored["accent_colour"],
        }
    )
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            update_branding,
            tenant,
            texts={
                k: getattr(form, k).data
                for k in ("operator_name", "operator_short_name", "signatory", "signatory_position")
            },  # fmt: skip
            colours={
                "primary_colour": form.primary_colour.data,
                "accent_colour": form.accent_colour.data,
            },
            images={name: request.files.get(name) for name in ("logo", "signature", "stamp")},
            remove={n for n in ("logo", "signature", "stamp") if getattr(form, f"remove_{n}").data},
            user_id=current_user.id,
            success=_("Оформление сохранено."),
        )
        if outcome.ok:
            return redirect(url_for(".settings_branding"))
    return render_template(
        "admin/branding.html",
        form=form,
        images={n: bool(stored.get(f"{n}_file_id")) for n in ("logo", "signature", "stamp")},
    )


@bp.route("/settings/branding/preview/<any(resident, accreditation):kind>.pdf")
@roles(Role.ADMIN)
def settings_branding_preview(kind: str):
    pdf = certificate_preview(current_tenant(), CertificateKind(kind))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="preview-{kind}.pdf"'},
    )
