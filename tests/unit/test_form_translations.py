"""wtforms' own messages (its validators' defaults) come in the UI language, from a catalog
read once per process and locale, not from disk in every request."""

from babel import support
from flask import session
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from mkr_web.web import forms


class _Sample(forms.Form):
    name = StringField("ФИО", validators=[DataRequired()])
    code = StringField("Код", validators=[Length(min=5)])


def _errors(lang=None):
    if lang:
        session["lang"] = lang
    form = _Sample(MultiDict({"name": "", "code": "ab"}), meta={"csrf": False})
    form.validate()
    return form.errors["name"][0], form.errors["code"][0]


def test_wtforms_messages_in_the_ui_language_read_once(app, monkeypatch):
    loads = []
    real = support.Translations.load
    monkeypatch.setattr(
        support.Translations, "load", lambda *a, **k: loads.append(a) or real(*a, **k)
    )
    monkeypatch.setattr(forms._WTFormsTranslations, "_catalogs", {})
    for _ in range(2):
        with app.test_request_context("/"):
            assert _errors() == (
                "Обязательное поле.",
                "Значение должно содержать не менее 5 символов.",
            )
    with app.test_request_context("/"):
        assert _errors("en") == (
            "This field is required.",
            "Field must be at least 5 characters long.",
        )
    assert len([a for a in loads if "wtforms" in str(a)]) <= 2  # ru once, en once
