"""Admin: an edition's participant list uploaded as a file (pages in ..participant_upload)."""

from __future__ import annotations

from workflows.roles import Role

from ..access import roles
from ..web import participants as pages
from . import bp

EP = "admin"


@bp.route("/editions/<int:edition_id>/participants/template.xlsx")
@roles(Role.ADMIN)
def participants_template(edition_id: int):
    return pages.template(EP, edition_id)


@bp.route("/editions/<int:edition_id>/participants/upload", methods=["GET", "POST"])
@roles(Role.ADMIN)
def participants_upload(edition_id: int):
    return pages.upload(EP, edition_id)


@bp.route(
    "/editions/<int:edition_id>/participants/upload/<int:preview_id>", methods=["GET", "POST"]
)
@roles(Role.ADMIN)
def participants_preview(edition_id: int, preview_id: int):
    return pages.preview(EP, edition_id, preview_id)
