"""The templates' ``field(f)`` (``web.forms.form_field``) ties every error and hint to its
field (``aria-describedby``), marks the field invalid, and gives one element per id (several
errors share one block)."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, StringField
from wtforms.validators import DataRequired, Length

from mkr_web.web.forms import form_field


class Sample(Form):
    name = StringField("ФИО", validators=[DataRequired("Укажите ФИО."), Length(min=3)])
    email = StringField("Почта", description="Например, ivanova@example.ru")
    agree = BooleanField("Согласен", validators=[DataRequired("Нужно согласие.")])


def _render(form) -> str:
    return "\n".join(str(form_field(f)) for f in form)


def test_errors_and_hint_are_tied_to_their_fields():
    form = Sample(MultiDict({"name": "", "email": "x"}))
    assert not form.validate()
    form.name.errors = ["Укажите ФИО.", "Не короче 3 знаков."]
    html = _render(form)

    name = re.search(r"<input[^>]*id=\"name\"[^>]*>", html).group(0)
    assert 'aria-describedby="name-error"' in name
    assert 'aria-invalid="true"' in name
    assert html.count('id="name-error"') == 1
    assert re.search(r'id="name-error">Укажите ФИО\.<br>Не короче 3 знаков\.</div>', html)

    agree = re.search(r"<input[^>]*id=\"agree\"[^>]*>", html).group(0)
    assert 'aria-describedby="agree-error"' in agree
    assert 'id="agree-error">Нужно согласие.</div>' in html

    email = re.search(r"<input[^>]*id=\"email\"[^>]*>", html).group(0)
    assert 'aria-describedby="email-hint"' in email
    assert "aria-invalid" not in email
    assert 'id="email-hint">Например, ivanova@example.ru</div>' in html


def test_a_valid_field_has_no_error_reference():
    form = Sample(MultiDict({"name": "Иванова", "agree": "y"}))
    assert form.validate()
    html = _render(form)
    assert "aria-describedby" not in html.replace('aria-describedby="email-hint"', "")
    assert "-error" not in html


def test_the_markup_of_a_field_a_box_and_a_select():
    from wtforms import SelectField

    class Kind(Form):
        kind = SelectField("Вид", choices=[("a", "A")])

    form = Sample(MultiDict({"name": "Иванова", "agree": "y"}))
    assert form.validate()
    assert str(form_field(form.email)) == (
        '<div class="mb-3">\n<label class="form-label" for="email">Почта</label>\n'
        '<input aria-describedby="email-hint" class="form-control" id="email" name="email" '
        'type="text" value="">\n'
        '<div class="form-text" id="email-hint">Например, ivanova@example.ru</div>\n</div>\n'
    )
    assert str(form_field(form.agree)) == (
        '<div class="form-check mb-3">\n<input checked class="form-check-input" id="agree" '
        'name="agree" required type="checkbox" value="y">\n'
        '<label class="form-check-label" for="agree">Согласен</label>\n\n</div>\n'
    )
    assert _render(Kind()) == (
        '<div class="mb-3">\n<label class="form-label" for="kind">Вид</label>\n'
        '<select class="form-select" id="kind" name="kind"><option value="a">A</option>'
        "</select>\n\n</div>\n"
    )
