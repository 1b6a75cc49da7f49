from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


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
