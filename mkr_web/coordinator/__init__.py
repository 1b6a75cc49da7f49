"""coordinator pages."""

from flask import Blueprint

bp = Blueprint("coordinator", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import admission, nominations, people, report, views  # noqa: E402, F401
