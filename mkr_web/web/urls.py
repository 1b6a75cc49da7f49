"""URLs a page builds many times, built once.

``url_for`` walks the URL map for every call (~20 µs). A page of the registry links 50 cards
and its menu 20 pages; these two helpers make that one build each:

- :func:`url_prefix` is a route's URL up to its last, integer argument: the template appends
  the id (``{{ person_href }}{{ p.id }}``).
- :func:`plain_url` is the URL of a route without variable parts (a menu item, a static file),
  remembered per application and script root: it cannot change while the app runs.
"""

from __future__ import annotations

from flask import current_app, request, url_for

#: An id no row has, so the built URL shows where the argument goes.
_MARK = 918_273_645


def url_prefix(endpoint: str, arg: str) -> str:
    """``url_for(endpoint, arg=N)`` without ``N``, for any integer ``N``; the route must end
    with ``arg`` (anything else raises, rather than build wrong links)."""
    url = url_for(endpoint, **{arg: _MARK})
    head, mark, tail = url.rpartition(str(_MARK))
    if not mark or tail:
        raise ValueError(f"{endpoint}: its URL does not end with <{arg}>")
    return head


def plain_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` for constant ``values``, built once per script root."""
    cache = current_app.extensions.setdefault("mkr_plain_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


def init_urls(app) -> None:
    app.jinja_env.globals["url_prefix"] = url_prefix
    app.jinja_env.globals["plain_url"] = plain_url
