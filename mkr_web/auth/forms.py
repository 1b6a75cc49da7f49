from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = StringField(_l("Электронная почта"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Пароль"), validators=[DataRequired(), Length(max=200)])


class ContextForm(FlaskForm):
    context = HiddenField(validators=[DataRequired()])


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
