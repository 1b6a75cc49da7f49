"""The main menu's links, written once per role, page, language and script root.

The menu is the same for every user of a role (:data:`mkr_web.navigation.NAV`); only the
active item follows the page. Its ~20 links were ~2 ms of every page through the template,
so the HTML is kept per ``(role, endpoint, locale, script root)``: a bounded set (five roles,
a few hundred endpoints, two languages).
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import Markup, escape

from ..navigation import nav_for
from .urls import plain_url

_ACTIVE = ' active" aria-current="page'


def menu_html(ctx) -> Markup:
    """The ``<li>`` items of ``ctx``'s role's menu, the current page's marked active."""
    if ctx is None or ctx.role is None:
        return Markup("")
    key = (ctx.role, request.endpoint, str(get_locale()), request.script_root)
    cache = current_app.extensions.setdefault("mkr_menus", {})
    html = cache.get(key)
    if html is None:
        html = cache[key] = Markup(
            "".join(
                f'<li class="nav-item"><a class="nav-link{_ACTIVE if endpoint == request.endpoint else ""}"'
                f' href="{escape(plain_url(endpoint))}">{escape(str(title))}</a></li>'
                for endpoint, title in nav_for(ctx, current_app.view_functions)
            )
        )
    return html


def init_menu(app) -> None:
    app.jinja_env.globals["menu_html"] = menu_html
