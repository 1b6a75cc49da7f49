"""URLs built once per page (mkr_web/web/urls.py) equal the ones url_for builds each time."""

import pytest
from flask import url_for

from mkr_web.web.urls import plain_url, url_prefix


def test_a_card_link_is_the_prefix_and_the_id(app):
    with app.test_request_context("/"):
        assert url_prefix("admin.person", "person_id") == "/admin/people/"
        assert url_prefix("coordinator.person", "person_id") + "42" == url_for(
            "coordinator.person", person_id=42
        )
    with app.test_request_context("/", base_url="http://host/mkr"):  # under a script root
        assert url_prefix("admin.person", "person_id") == "/mkr/admin/people/"


def test_a_route_that_does_not_end_with_the_argument_is_refused(app):
    with app.test_request_context("/"), pytest.raises(ValueError, match="does not end"):
        url_prefix("admin.person_edit", "person_id")


def test_a_plain_url_is_remembered_per_script_root(app):
    with app.test_request_context("/"):
        assert plain_url("admin.people") == "/admin/people"
        assert plain_url("static", filename="mkr.css") == "/static/mkr.css"
    with app.test_request_context("/", base_url="http://host/mkr"):
        assert plain_url("admin.people") == "/mkr/admin/people"
