"""The operator's (tenant admin's) pages."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

# Route modules register their views on ``bp`` when imported (one module per topic).
from . import (  # noqa: E402, F401
    accreditation,
    admission,
    assign_many,
    branding,
    certificates,
    deadlines,
    duplicates,
    events,
    nominations,
    notification_templates,
    outbox,
    participants,
    people,
    people_import,
    people_records,
    programme,
    programme_records,
    reference_data,
    report,
    retention,
    rubrics,
    settings,
    sso,
    users,
    views,
)
