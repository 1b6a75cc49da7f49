"""Firing identical requests at the same moment: each from its own test client (its own
thread, app context, database session and connection), all carrying the same cookies and
form, released together by a barrier."""

from __future__ import annotations

import threading


def clone(app, source):
    """A new test client holding ``source``'s cookies (the same logged-in session)."""
    client = app.test_client()
    for cookie in source._cookies.values():
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return client


def fire(app, source, url: str, data: dict, count: int = 5) -> list[int]:
    """POST ``data`` to ``url`` ``count`` times at once; the status codes, in no order."""
    clients = [clone(app, source) for _ in range(count)]
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(client):
        try:
            barrier.wait(timeout=30)
            status = client.post(url, data=dict(data)).status_code
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
            with lock:
                errors.append(exc)
            return
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == count, statuses
    return statuses
