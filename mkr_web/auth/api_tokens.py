"""The user's personal API tokens (profile → API tokens): create one for one of their roles
with scopes and a life (the secret is shown once, on the answer to the form, and never
again), see when each was last used, revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import authenticated, available_contexts
from ..models.base import utcnow
from ..operations.api_tokens import SCOPES, create_token, revoke_token, scopes_for
from ..queries.api_tokens import token_of, tokens_of
from ..web.commit import commit_or_refuse
from ..web.labels import translate_label
from . import bp
from .forms import ApiTokenForm, RevokeTokenForm


def _memberships():
    """The user's roles a token may act in: those this session may switch to (after single
    sign-on through a tenant's provider: that tenant's only) with at least one scope."""
    return [
        c.membership
        for c in available_contexts(current_user)
        if c.membership is not None and scopes_for(c.role)
    ]


def _page(form, secret=None, status=200):
    memberships = _memberships()
    return (
        render_template(
            "auth/api_tokens.html",
            form=form,
            revoke_form=RevokeTokenForm(),
            tokens=tokens_of(current_user.id),
            memberships=memberships,
            role_scopes={m.id: scopes_for(m.role) for m in memberships},
            scope_titles={k: v[0] for k, v in SCOPES.items()},
            secret=secret,
            now=utcnow(),
        ),
        status,
    )


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@authenticated
def api_tokens():
    form = ApiTokenForm()
    memberships = _memberships()
    form.membership_id.choices = [
        (m.id, f"{translate_label(m.role.title_ru)} — {m.tenant.name}") for m in memberships
    ]
    form.scopes.choices = [(k, f"{k} — {translate_label(v[0])}") for k, v in SCOPES.items()]
    if form.validate_on_submit():
        membership = next((m for m in memberships if m.id == form.membership_id.data), None)
        if membership is None:
            abort(404)
        outcome = commit_or_refuse(
            create_token,
            current_user._get_current_object(),
            membership,
            form.name.data,
            form.scopes.data,
            form.days.data,
        )
        if outcome.ok:
            flash(_("Токен создан. Скопируйте его сейчас: больше он показан не будет."), "success")
            return _page(ApiTokenForm(formdata=None), secret=outcome.result.secret)
    return _page(form, status=400 if form.is_submitted() else 200)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@authenticated
def revoke_api_token(token_id: int):
    token = token_of(current_user.id, token_id)
    if token is None:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        commit_or_refuse(
            revoke_token, token, current_user._get_current_object(), success=_("Токен отозван.")
        )
    return redirect(url_for(".api_tokens"))
