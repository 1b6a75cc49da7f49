"""Translations looked up once per request, not on every string.

Flask-Babel asks for the catalog on every string it translates (a template's ``_()``, a
form's lazy label, a flash message): two lookups of its request namespace, the locale, the
locale's name built as a string and a dict lookup, ~20 µs each, and a page has 80-150 of
them (~2 ms of a person's card). Here its domain keeps the catalog in that namespace beside
the locale it was read for, and reads it again only when the locale object changes
(``flask_babel.force_locale``, ``refresh``), so a forced locale is honoured exactly as
Flask-Babel's own lookup honours it.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import Domain, get_domain
from jinja2 import pass_context
from markupsafe import Markup


class RequestDomain(Domain):
    """Flask-Babel's default domain, its catalog kept per request and locale."""

    def get_translations(self):
        if not has_app_context():
            return super().get_translations()  # Flask-Babel's own answer: no catalog
        ns = g.get("_flask_babel")
        locale = getattr(ns, "babel_locale", None)
        if locale is not None:
            kept = getattr(ns, "mkr_translations", None)
            if kept is not None and kept[0] is locale and kept[1] is self:
                return kept[2]
        translations = super().get_translations()  # reads (and notes) the locale
        ns = g.get("_flask_babel")
        locale = getattr(ns, "babel_locale", None)
        if locale is not None:
            ns.mkr_translations = (locale, self, translations)
        return translations


def request_translations():
    """The current locale's catalog (Flask-Babel's ``get_translations``)."""
    return get_domain().get_translations()


#: The template context's name for the page's catalog (:func:`install`'s context processor).
CATALOG = "_mkr_catalog"


@pass_context
def template_gettext(context, string: str, **variables):
    """A template's ``_()``: Jinja's new-style gettext (the text is a format string, its
    variables escaped), which formats even a text without variables, through
    ``Markup.__mod__`` (~4 % of a registry page, 60-80 texts): a text without a ``%`` is
    returned as it is, which is what that formatting returns.

    The catalog is the one the page's context holds (looked up once, when
    ``render_template`` builds the context, in the locale it renders in); a template
    rendered without it (a macro imported without context, a mail or a PDF rendered by a
    task) looks it up as Flask-Babel does."""
    catalog = context.get(CATALOG)
    if catalog is None:
        catalog = request_translations()
    rv = catalog.ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables if variables or "%" in rv else rv


def install(app, babel) -> None:
    """After ``babel.init_app``: its default domain and the templates' callables."""
    babel.domain_instance = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # Jinja's call wants a ``gettext``; the global set after it is :func:`template_gettext`.
    app.jinja_env.install_gettext_callables(
        gettext=template_gettext,
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["gettext"] = template_gettext

    @app.context_processor
    def _catalog():  # one lookup per page, not one per text (~55 on a registry page)
        return {CATALOG: request_translations()}
