"""Forms of the programme's records: opportunities, placements, publications, partnerships."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import OpportunityKind, OrganizationKind, OutletKind
from ..web.forms import Form
from ..web.params import id_value


class OpportunityForm(Form):
    kind = SelectField(_l("Вид"), choices=[(k.value, k.title_ru) for k in OpportunityKind])
    title = StringField(_l("Название"), validators=[DataRequired(), Length(max=300)])
    partner_id = SelectField(_l("Организация-партнёр"), coerce=id_value, validators=[Optional()])
    year = IntegerField(_l("Год"), validators=[DataRequired(), NumberRange(2000, 2100)])
    starts_on = DateField(_l("Начало"), validators=[Optional()])
    ends_on = DateField(_l("Окончание"), validators=[Optional()])


class PersonSearchForm(Form):
    q = StringField(
        _l("Поиск человека по ФИО"), validators=[DataRequired(), Length(min=2, max=100)]
    )


class PlacementForm(Form):
    person_id = HiddenField(validators=[DataRequired()])
    placed_on = DateField(_l("Дата участия"), validators=[Optional()])


class PublicationForm(Form):
    title = StringField(_l("Заголовок материала"), validators=[DataRequired(), Length(max=500)])
    outlet = StringField(_l("Сайт или издание"), validators=[DataRequired(), Length(max=300)])
    outlet_kind = SelectField(
        _l("Вид площадки"), choices=[(k.value, k.title_ru) for k in OutletKind]
    )
    url = StringField(_l("Ссылка"), validators=[Optional(), Length(max=500)])
    published_on = DateField(_l("Дата публикации"), validators=[DataRequired()])


class PartnershipForm(Form):
    organization_id = SelectField(
        _l("Организация из справочника"), coerce=id_value, validators=[Optional()]
    )
    new_name = StringField(
        _l("…или новая организация: название"), validators=[Optional(), Length(max=300)]
    )
    new_kind = SelectField(
        _l("Тип новой организации"),
        choices=[
            (k.value, k.title_ru) for k in OrganizationKind if k is not OrganizationKind.SCHOOL
        ],
        default=OrganizationKind.OTHER.value,
    )
    started_on = DateField(_l("Начало партнёрства"), validators=[DataRequired()])
    ended_on = DateField(_l("Окончание партнёрства"), validators=[Optional()])
    note = TextAreaField(_l("Примечание"), validators=[Optional(), Length(max=500)])
