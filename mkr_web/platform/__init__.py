"""platform pages."""

from flask import Blueprint

bp = Blueprint("platform", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import outbox, views  # noqa: F401
