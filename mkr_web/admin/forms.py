from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from workflows.roles import TENANT_ROLES

from ..models import OrganizationKind
from ..web.forms import Form
from ..web.params import id_value


class OrganizationForm(Form):
    name = StringField(_l("Название"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        _l("Тип"),
        choices=[(k.value, k.title_ru) for k in OrganizationKind],
        validators=[DataRequired()],
    )
    municipality_id = SelectField(_l("Муниципалитет"), coerce=id_value, validators=[Optional()])
    is_regional_subordination = BooleanField(_l("Региональное подчинение"))


class InviteForm(Form):
    email = EmailField(
        _l("Электронная почта"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    full_name = StringField(_l("ФИО"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Роль"), choices=[(r.value, r.title_ru) for r in TENANT_ROLES])
    municipality_ids = SelectMultipleField(_l("Муниципалитеты (координатор)"), coerce=id_value)
    organization_id = SelectField(
        _l("Организация (организатор; для эксперта — место работы)"),
        coerce=id_value,
        validators=[Optional()],
    )
