"""Login, logout, role switching, language choice."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import views  # noqa: F401

# isort: split
from . import account, api_tokens, jobs, links, notifications, sso  # noqa: E402, F401
