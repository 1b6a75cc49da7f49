"""``/catalogue/<slug>``: a tenant's public catalogue (no login): the accredited events with
the years of their accreditation, the upcoming editions, and ``…/editions.ics``, an iCal feed
of those editions (RFC 5545, icalendar). No personal data. Each answer is kept in process for
:data:`TTL` seconds and sent with ``Cache-Control: public`` and an ETag (a repeat request
with ``If-None-Match`` gets 304)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from flask import Response, abort, render_template, request
from icalendar import Calendar, Event

from ..access import public
from ..navigation import external_url
from ..queries.catalogue import accredited_events, tenant_by_slug, upcoming_editions
from . import bp

TTL = 300  # seconds
_cache: dict[tuple, tuple[float, bytes, str]] = {}


def _cached(key: tuple, build) -> tuple[bytes, str]:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    body, mimetype = build()
    if len(_cache) > 1000:
        _cache.clear()
    _cache[key] = (now + TTL, body, mimetype)
    return body, mimetype


def _answer(body: bytes, mimetype: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Cache-Control"] = f"public, max-age={TTL}"
    resp.add_etag()
    return resp.make_conditional(request)


def _tenant_or_404(slug: str):
    tenant = tenant_by_slug(slug) if len(slug) <= 40 else None
    if tenant is None:
        abort(404)
    return tenant


@bp.route("/catalogue/<slug>")
@public
def catalogue(slug: str):
    today = date.today()

    def build():
        tenant = _tenant_or_404(slug)
        html = render_template(
            "public/catalogue.html",
            tenant=tenant,
            events=accredited_events(tenant.id, today),
            editions=upcoming_editions(tenant.id, today),
            today=today,
        )
        return html.encode(), "text/html"

    return _answer(*_cached(("html", slug, today), build))


@bp.route("/catalogue/<slug>/editions.ics")
@public
def catalogue_ics(slug: str):
    today = date.today()

    def build():
        tenant = _tenant_or_404(slug)
        cal = Calendar()
        cal.add("prodid", "-//MKR//catalogue//RU")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", f"{tenant.name}: мероприятия")
        stamp = datetime.combine(today, datetime.min.time())
        for ed in upcoming_editions(tenant.id, today):
            ev = Event()
            ev.add("uid", f"edition-{ed.edition_id}@{tenant.slug}.mkr")
            ev.add("dtstamp", stamp)
            ev.add("summary", ed.title)
            ev.add("dtstart", ed.starts_on)
            ev.add("dtend", (ed.ends_on or ed.starts_on) + timedelta(days=1))  # exclusive
            ev.add(
                "description", f"{ed.organizer}" + (" · аккредитовано" if ed.is_accredited else "")
            )
            ev.add("url", external_url("public.catalogue", slug=tenant.slug))
            cal.add_component(ev)
        return cal.to_ical(), "text/calendar"

    return _answer(*_cached(("ics", slug, today), build))
