from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from ..web.forms import Form


class TenantForm(Form):
    slug = StringField(_l("Код (латиница)"), validators=[DataRequired(), Length(min=2, max=40)])
    name = StringField(_l("Название проекта"), validators=[DataRequired(), Length(max=300)])
    admin_email = EmailField(_l("E-mail первого оператора"), validators=[DataRequired(), Email()])
    admin_name = StringField(_l("ФИО оператора"), validators=[DataRequired(), Length(max=200)])
    municipalities = TextAreaField(
        _l("Муниципалитеты (необязательно; по одному в строке)"), validators=[Length(max=20_000)]
    )
