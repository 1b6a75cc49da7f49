from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

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
    aliases = TextAreaField(
        _l("Другие и прежние названия (по одному в строке)"), validators=[Length(max=3000)]
    )


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


MUNICIPALITY_KIND_TITLES = {
    "district": _l("Район"),
    "city": _l("Город"),
    "city_okrug": _l("Городской округ"),
    "zato": _l("ЗАТО"),
    "other_region": _l("Другой регион"),
}


class MunicipalityForm(Form):
    name = StringField(_l("Название"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Тип"), choices=list(MUNICIPALITY_KIND_TITLES.items()), validators=[DataRequired()]
    )
    sort_order = IntegerField(
        _l("Порядок в списках и отчёте"), validators=[Optional(), NumberRange(0, 10_000)]
    )
    aliases = TextAreaField(
        _l("Другие названия (по одному в строке)"), validators=[Length(max=3000)]
    )


class MergeForm(Form):
    target_id = SelectField(_l("Объединить с организацией"), coerce=id_value)


class ActionForm(Form):
    """A button: retire, restore or delete (CSRF and the single-use token only)."""
