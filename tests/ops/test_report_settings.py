"""The thresholds operation: unknown keys are refused."""

from __future__ import annotations

import pytest

from mkr_web.errors import OperationError
from mkr_web.operations.settings import update_thresholds


def test_operation_refuses_unknown_keys(app_ctx, factory):
    tenant = factory.tenant()
    with pytest.raises(OperationError):
        update_thresholds(tenant, {"7": 1})
    with pytest.raises(OperationError):
        update_thresholds(tenant, {"1": -5})
    assert update_thresholds(tenant, {"1": 75}) == {}
