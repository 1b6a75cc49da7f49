"""The shared form macro ties every error and hint to its field (``aria-describedby``), marks
the field invalid, and gives one element per id (several errors share one block)."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, StringField
from wtforms.validators import DataRequired, Length

TEMPLATES = Path(__file__).resolve().parents[2] / "mkr_web" / "templates"


class Sample(Form):
    name = StringField("ФИО", validators=[DataRequired("Укажите ФИО."), Length(min=3)])
    email = StringField("Почта", description="Например, ivanova@example.ru")
    agree = BooleanField("Согласен", validators=[DataRequired("Нужно согласие.")])


def _render(form) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    macro = env.get_template("_form.html").module.field
    return "\n".join(str(macro(f)) for f in form)


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
