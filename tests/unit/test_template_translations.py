"""The templates' ``_()`` reads the catalog once per request and follows a forced locale."""

from flask import render_template_string
from flask_babel import force_locale

TEMPLATE = "{{ _('Выйти') }}|{{ ngettext('%(num)s участник', '%(num)s участников', 2) }}"


def test_the_request_locale_and_a_forced_one(app):
    with app.test_request_context("/"):
        assert render_template_string(TEMPLATE) == "Выйти|2 участника"
        with force_locale("en"):
            assert render_template_string(TEMPLATE) == "Sign out|2 participants"
        assert render_template_string(TEMPLATE) == "Выйти|2 участника"


def test_the_language_of_the_session(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert render_template_string(TEMPLATE) == "Sign out|2 participants"
