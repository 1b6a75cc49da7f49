"""Tests of operations and queries on a real database (its tables are emptied after each test)."""

import pytest


@pytest.fixture(autouse=True)
def _clean_db(clean_db):
    """Every test here uses the database: its rows are removed afterwards."""
    yield
