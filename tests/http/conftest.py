"""Tests of pages through the Flask test client (tables are emptied after each test)."""

from tests.ops.conftest import _clean_db  # noqa: F401 - autouse: the same cleaning as ops/
