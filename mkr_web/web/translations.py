"""The templates' ``_()``: the request's catalog looked up once, not on every string.

Flask-Babel's template callables ask for the translations on every ``_()``: two lookups of
its request namespace, the locale, the locale's name built as a string and a dict lookup,
~20 µs each, and a page has 60-80 of them (~1.5 ms of a registry page). Here the catalog is
kept in that namespace beside the locale it was read for, and read again only when the
locale object changes (``flask_babel.force_locale``, ``refresh``), so a forced locale is
honoured exactly as Flask-Babel's own lookup honours it.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import get_translations


def request_translations():
    """The current locale's catalog (Flask-Babel's ``get_translations``), kept per request."""
    if not has_app_context():
        return get_translations()  # Flask-Babel's own answer: no catalog
    ns = g.get("_flask_babel")
    locale = getattr(ns, "babel_locale", None)
    if locale is not None:
        kept = getattr(ns, "mkr_translations", None)
        if kept is not None and kept[0] is locale:
            return kept[1]
    translations = get_translations()  # reads (and notes) the locale
    ns = g.get("_flask_babel")
    locale = getattr(ns, "babel_locale", None)
    if locale is not None:
        ns.mkr_translations = (locale, translations)
    return translations


def install(app) -> None:
    """Replace Flask-Babel's template callables (installed by ``babel.init_app``)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
