"""The forms' select widget writes the markup wtforms' own widget writes, faster."""

from wtforms import Form, SelectField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import Select

from mkr_web.web.forms import FastSelect


class _Form(Form):
    one = SelectField(
        choices=[(1, 'Школа «№ 1» <"a">'), (2, "b"), ("", "—"), (True, "t")], default=2
    )
    many = SelectMultipleField(choices=[("a", "A&B"), ("b", "B"), ("c", "")], default=["a", "c"])
    groups = SelectField(choices={"Группа": [("x", "X")], "Ещё": [("y", "Y")]}, default="y")
    # coerced ids, a required flag, an option with its own attributes (the stock way)
    ids = SelectField(
        choices=[("01", "A"), ("2", "B"), ("3", "")],
        coerce=int,
        default=1,
        validators=[InputRequired()],
    )
    own = SelectField(choices=[("a", "A", {"disabled": True}), ("b", "B")], default="b")


def _both(field, **kw):
    stock = Select(multiple=field.widget.multiple)(field, **kw)
    fast = FastSelect(multiple=field.widget.multiple)(field, **kw)
    return stock, fast


def test_a_select_is_written_as_wtforms_writes_it():
    form = _Form()
    assert FastSelect()(form.one, class_="form-select") == (
        '<select class="form-select" id="one" name="one">'
        '<option value="1">Школа «№ 1» &lt;&#34;a&#34;&gt;</option>'
        '<option selected value="2">b</option><option value="">—</option>'
        '<option value="True">t</option></select>'
    )
    for field in (form.one, form.many, form.groups, form.ids, form.own):
        stock, fast = _both(field, class_="form-select", aria_describedby="hint")
        assert fast == stock, field.name


def test_attributes_are_written_as_wtforms_writes_them():
    from markupsafe import Markup
    from wtforms.widgets.core import html_params as stock

    from mkr_web.web.forms import html_params

    cases = [
        {"name": "t1", "id": "t1", "class_": "form-control is-invalid", "value": 'a "b" <c>'},
        {"checked": True, "readonly": False, "required": True, "value": None, "min": 0},
        {"data_confirm_count": "ids", "aria_describedby": "x-hint x-error", "type": "date"},
        {"value": Markup('already "safe" &amp;'), "placeholder": "Иванов & сыновья"},
        {"value": 3.5, "step": 1, "max": "1000000", "for_": "f", "data_x_y": True},
    ]
    for kw in cases:
        assert html_params(**kw) == stock(**kw), kw
    assert html_params(name="a", checked=True, value='"') == 'checked name="a" value="&#34;"'
