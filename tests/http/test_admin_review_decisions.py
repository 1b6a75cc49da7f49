"""The admin decides a reviewed subject (an accreditation application, a nomination) through
one helper (``admin.review_steps.AdminReview``): the decision forms of the detail page, the
confirmation page a browser without JavaScript gets before an irreversible decision, and what
an invalid form says. Pinned per subject, so that the shared code keeps each one's texts."""

import html
import re
from datetime import date

import pytest

from mkr_web.extensions import db
from mkr_web.models import AccreditationApplication, Nomination
from tests.factories import (
    application_reviewed,
    nomination_reviewed,
    nomination_world,
    world,
)
from tests.support import logged_in, post_form, settle_jobs
from workflows.review import ReviewState

YEAR = date.today().year


@pytest.fixture
def acc(factory):
    yield world(factory)
    settle_jobs()


@pytest.fixture
def nom(factory):
    yield nomination_world(factory)
    settle_jobs()


def _admin(app, w):
    return logged_in(app, w.admin)


def _state(model, item_id):
    db.session.expire_all()
    return db.session.get(model, item_id).state


def _forms(page: str) -> list[tuple[str, str, str | None]]:
    """(column class, action, data-confirm) of each form of the decision row."""
    row = page.split('<h2 class="h5 mt-4">Решение</h2>')[1].split('<h2 class="h5 mt-4">История')[0]
    found = re.findall(
        r'<div class="(col-lg-\d)"><form method="post" action="([^"]+)"[^>]*?'
        r'(?:data-confirm="([^"]*)")?>',
        row,
    )
    return [(col, action, html.unescape(confirm) or None) for col, action, confirm in found]


def _asked(client, url: str, path: str, item, **fields) -> str:
    """Post the decision form ``path`` of ``url`` (its fields prefixed by the form's name, with
    the item's version) as a browser without JavaScript; the confirmation page's question."""
    prefix = path.rsplit("/", 1)[-1]
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    data[f"{prefix}-version"] = str(item.version)
    return _question(post_form(client, f"{url}/{path}", data, form_url=url, confirm=False))


def _question(resp) -> str:
    m = re.search(r'data-testid="confirm-question">([^<]*)<', resp.get_data(as_text=True))
    assert m, "no confirmation page"
    return html.unescape(m.group(1))


def _alerts(page: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'role="alert"[^>]*>(.*?)<', page, re.S)]


def test_accreditation_decision_forms_confirmation_and_invalid_form(app, acc):
    a = application_reviewed(acc)
    client = _admin(app, acc)
    url = f"/admin/accreditation/{a.id}"
    page = client.get(url).get_data(as_text=True)
    assert _forms(page) == [
        (
            "col-lg-4",
            f"{url}/accredit",
            f"Аккредитовать мероприятие «{a.title}» (заявка {a.number}) и выдать свидетельство.",
        ),
        ("col-lg-3", f"{url}/decide/return", None),
        ("col-lg-2", f"{url}/decide/reject", f"Отказать в аккредитации по заявке {a.number}."),
    ]
    # without JavaScript the server asks first, and nothing changes
    assert (
        _asked(client, url, "decide/reject", a, comment="Нет")
        == f"Отказать в аккредитации по заявке {a.number}."
    )
    assert _asked(client, url, "accredit", a, valid_from="2020", valid_to="2022") == (
        f"Аккредитовать мероприятие «{a.title}» (заявка {a.number}) на 2020–2022 гг. и "
        "выдать свидетельство."
    )
    # returning asks nothing; an invalid form goes back with what to fix
    resp = post_form(
        client,
        f"{url}/accredit",
        {"accredit-valid_from": "год", "accredit-valid_to": "2022"},
        form_url=url,
    )
    assert resp.headers["Location"] == url
    assert _alerts(client.get(url).get_data(as_text=True)) == [
        "Укажите срок аккредитации: годы с… по… (от 2000 до 2100)."
    ]
    resp = post_form(client, f"{url}/decide/return", {"return-comment": "x" * 5001}, form_url=url)
    assert resp.headers["Location"] == url
    assert _alerts(client.get(url).get_data(as_text=True)) == []
    assert _state(AccreditationApplication, a.id) is ReviewState.REVIEWED
    resp = post_form(
        client,
        f"{url}/decide/return",
        {"return-comment": "Уточните", "return-version": str(a.version)},
        form_url=url,
        confirm=False,
    )
    assert resp.headers["Location"] == url
    assert _state(AccreditationApplication, a.id) is ReviewState.RETURNED


def test_nomination_decision_forms_confirmation_and_invalid_form(app, nom):
    n = nomination_reviewed(nom)
    client = _admin(app, nom)
    url = f"/admin/nominations/{n.id}"
    page = client.get(url).get_data(as_text=True)
    assert _forms(page) == [
        (
            "col-lg-3",
            f"{url}/approve",
            f"Одобрить выдвижение {n.number} (Включение по индивидуальным достижениям).",
        ),
        ("col-lg-3", f"{url}/decide/return", None),
        ("col-lg-3", f"{url}/decide/reject", f"Отказать по выдвижению {n.number}."),
    ]
    assert (
        _asked(client, url, "decide/reject", n, comment="Нет")
        == f"Отказать по выдвижению {n.number}."
    )
    assert (
        _asked(client, url, "approve", n, comment="")
        == f"Одобрить выдвижение {n.number} (Включение по индивидуальным достижениям)."
    )
    resp = post_form(client, f"{url}/decide/return", {"return-comment": "x" * 5001}, form_url=url)
    assert resp.headers["Location"] == url
    assert _alerts(client.get(url).get_data(as_text=True)) == ["Укажите комментарий."]
    resp = post_form(client, f"{url}/approve", {"approve-comment": "x" * 5001}, form_url=url)
    assert resp.headers["Location"] == url
    assert _alerts(client.get(url).get_data(as_text=True)) == []
    assert _state(Nomination, n.id) is ReviewState.REVIEWED
