"""organizer pages."""

from flask import Blueprint

bp = Blueprint("organizer", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import accreditation, admission, events, participants, protocol_upload, views  # noqa: E402, F401
