"""public pages."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import views  # noqa: F401

# isort: split
from . import catalogue, verify  # noqa: E402, F401
