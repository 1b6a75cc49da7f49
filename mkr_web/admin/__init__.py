"""The operator's (tenant admin's) pages."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import report, settings, views  # noqa: F401
