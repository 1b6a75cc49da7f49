from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.commit import commit_or_refuse
from ..web.forms import Form
from ..web.params import id_value


class LoginForm(FlaskForm):
    email = StringField(_l("Электронная почта"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Пароль"), validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Код из приложения или код восстановления"),
        validators=[DataRequired(), Length(max=32)],
    )


class ContextForm(FlaskForm):
    context = HiddenField(validators=[DataRequired()])


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])


class NewPasswordMixin:
    password = PasswordField(
        _l("Новый пароль (не короче 12 символов)"),
        validators=[DataRequired(), Length(max=200)],
    )
    confirm = PasswordField(
        _l("Новый пароль ещё раз"),
        validators=[DataRequired(), EqualTo("password", message=_l("Пароли не совпадают."))],
    )


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Текущий пароль"), validators=[DataRequired(), Length(max=200)])


class ResetRequestForm(FlaskForm):
    email = StringField(_l("Электронная почта"), validators=[DataRequired(), Length(max=254)])


class ResetForm(NewPasswordMixin, FlaskForm):
    pass


class AcceptForm(NewPasswordMixin, FlaskForm):
    full_name = StringField(_l("ФИО"), validators=[Length(max=200)])


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""


class TwoFactorConfirmForm(FlaskForm):
    code = StringField(_l("Код из приложения"), validators=[DataRequired(), Length(min=6, max=12)])


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Пароль"), validators=[DataRequired(), Length(max=200)])


class ApiTokenForm(Form):
    """A new personal API token: for which of the user's roles, a name, scopes, a life."""

    membership_id = SelectField(_l("Роль"), coerce=id_value, validators=[DataRequired()])
    name = StringField(_l("Название"), validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(
        _l("Права"),
        validators=[DataRequired()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    days = IntegerField(
        _l("Срок действия, дней"), default=90, validators=[InputRequired(), NumberRange(1, 3650)]
    )


class RevokeTokenForm(Form):
    """CSRF and the single-use token: the button says revoke."""


def save_password(form, work, *args, success: str) -> bool:
    """Set the password typed in ``form`` (``work(*args, password)`` in one commit); a refusal
    (too short, too common, …) is shown under the password field."""
    outcome = commit_or_refuse(work, *args, form.password.data, show_refusal=False, success=success)
    if not outcome.ok:
        form.password.errors.append(str(outcome.error))
    return outcome.ok
