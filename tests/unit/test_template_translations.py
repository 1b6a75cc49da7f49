"""Translations read the catalog once per request and follow a forced locale: the
templates' ``_()`` and Python's ``gettext``/lazy labels alike."""

from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext

TEMPLATE = "{{ _('Выйти') }}|{{ ngettext('%(num)s участник', '%(num)s участников', 2) }}"


def test_the_request_locale_and_a_forced_one(app):
    with app.test_request_context("/"):
        assert render_template_string(TEMPLATE) == "Выйти|2 участника"
        label = lazy_gettext("Выйти")
        with force_locale("en"):
            assert render_template_string(TEMPLATE) == "Sign out|2 participants"
            assert (gettext("Выйти"), str(label)) == ("Sign out", "Sign out")
        assert render_template_string(TEMPLATE) == "Выйти|2 участника"
        assert (gettext("Выйти"), str(label)) == ("Выйти", "Выйти")


def test_the_language_of_the_session(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert render_template_string(TEMPLATE) == "Sign out|2 participants"


def test_a_text_is_a_format_string_its_variables_escaped(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ _('100%%') }}|{{ _('Выйти') }}") == "100%|Выйти"
        assert render_template_string("{{ _('%(n)s%% <b>', n='<i>') }}") == "&lt;i&gt;% <b>"
        with force_locale("en"):
            assert render_template_string("{{ _('Выйти') }}") == "Sign out"
