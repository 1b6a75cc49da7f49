"""Jinja filters of the display formats (:mod:`mkr_web.documents.formats`) for the pages.

Times are shown in the current tenant's zone (its ``time_zone`` setting; the platform admin,
who works in no tenant, sees the app's default zone), and the page names that zone once, at
its foot, when it shows a time (``g.shows_time``, set by the filters).
"""

from __future__ import annotations

from collections import OrderedDict

from flask import current_app, g
from markupsafe import Markup, escape

from ..documents import formats


def page_zone() -> str:
    from ..access import current_context

    ctx = current_context()
    tenant = ctx.tenant if ctx is not None else None
    zone = tenant.setting("time_zone") if tenant is not None else None
    return zone or current_app.config.get("BABEL_DEFAULT_TIMEZONE") or formats.DEFAULT_ZONE


def _when(value, pattern: str | None = None, seconds: bool = False) -> str:
    """A time in the tenant's zone (``datetimeformat`` keeps its old pattern argument: a
    pattern without hours shows the date)."""
    if value is None:
        return ""
    if pattern is not None and "H" not in pattern:
        return _day(value)
    g.shows_time = True
    return formats.when(value, page_zone(), seconds=seconds)


def _day(value) -> str:
    return formats.day(value, page_zone())


def _decimal(value, digits: int | None = None) -> str:
    return formats.decimal(value, digits, _locale())


def zone_note() -> str:
    """Время — Томск (Asia/Tomsk, UTC+7): the page's one naming of its zone."""
    from flask_babel import gettext as _

    zone = page_zone()
    return _(
        "Время — %(city)s (%(zone)s, UTC%(offset)s).",
        city=formats.zone_city(zone, _locale()),
        zone=zone,
        offset=formats.utc_offset(zone),
    )


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "ru")


#: the markup of kept option lists (tuples: a list kept per process by its query, e.g.
#: ``queries.people.registry_choices``), by the tuple's identity; the latest 64
_OPTIONS: OrderedDict[int, tuple[tuple, str]] = OrderedDict()


def options(rows, selected=None) -> Markup:
    """``<option>`` elements of (value, label) ``rows``, ``selected`` marked: a long list (a
    region's hundreds of schools in a filter) built in one join, not a template loop (a
    Jinja loop with a test per option costs ~4 µs an option, this ~0.4). A tuple of rows is
    written once and kept (the registry's organisations, ~400: ~1 ms a page), the selected
    option marked in the kept markup."""
    chosen = None if selected is None else str(selected)
    if isinstance(rows, tuple):
        kept = _OPTIONS.get(id(rows))
        if kept is None or kept[0] is not rows:
            kept = _OPTIONS[id(rows)] = (rows, _option_tags(rows, None))
            while len(_OPTIONS) > 64:
                _OPTIONS.popitem(last=False)
        html = kept[1]
        if chosen is not None:
            tag = f'<option value="{escape(chosen)}">'
            html = html.replace(tag, tag[:-1] + " selected>", 1)
        return Markup(html)
    return Markup(_option_tags(rows, chosen))


def _option_tags(rows, chosen: str | None) -> str:
    return "".join(
        f'<option value="{escape(value)}"'
        f"{' selected' if chosen == str(value) else ''}>{escape(label)}</option>"
        for value, label in rows
    )


def init_formatting(app) -> None:
    app.jinja_env.filters["when"] = _when
    app.jinja_env.filters["datetimeformat"] = _when  # Flask-Babel's, in the tenant's zone
    app.jinja_env.filters["day"] = _day
    app.jinja_env.filters["decimal"] = _decimal
    app.jinja_env.globals["options"] = options
    app.jinja_env.globals["zone_note"] = zone_note
    from .journal import sentence
    from .labels import translate_label

    app.jinja_env.finalize = translate_label

    app.jinja_env.globals["journal_sentence"] = sentence
    app.jinja_env.globals["shows_time"] = lambda: bool(g.get("shows_time"))
