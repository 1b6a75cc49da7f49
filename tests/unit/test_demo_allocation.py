"""The demo's allocation of participants to municipalities (no database)."""

from __future__ import annotations


def test_allocation_is_exact():
    from mkr_web.demo.events import allocate

    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(allocate(2584, [24, 7, 4, 2, 2, 1])) == 2584
    assert min(allocate(7, [100, 1, 1, 1, 1, 1, 1])) == 1
