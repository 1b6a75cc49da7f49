"""Events, editions, participant counts and lists (organizer's scope; pages in ..web.events)."""

from __future__ import annotations

from workflows.roles import Role

from ..access import roles
from ..web import events as pages
from . import bp

EP = "organizer"


@bp.route("/events")
@roles(Role.ORGANIZER)
def events():
    return pages.events_list(EP)


@bp.route("/events/new", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def event_new():
    return pages.event_new(EP)


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def event_detail(event_id: int):
    return pages.event_detail(EP, event_id)


@bp.route("/events/<int:event_id>/editions/new", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def edition_new(event_id: int):
    return pages.edition_new(EP, event_id)


@bp.route("/editions/<int:edition_id>", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def edition_detail(edition_id: int):
    return pages.edition_detail(EP, edition_id)


@bp.route("/editions/<int:edition_id>/counts", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def edition_counts(edition_id: int):
    return pages.edition_counts(EP, edition_id)


@bp.route("/editions/<int:edition_id>/participants", methods=["GET", "POST"])
@roles(Role.ORGANIZER)
def edition_participants(edition_id: int):
    return pages.edition_participants(EP, edition_id)
