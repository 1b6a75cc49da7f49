"""In Chromium: a coordinator confirms 30 candidates with one submit (through the confirmation
dialog); the coordinator and the organiser each find the new to-do item and notification after
the step before theirs; a review reminder e-mail reaches a local SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from mkr_web.extensions import db
from mkr_web.models import AdmissionCandidate, ReviewAssignment
from mkr_web.operations import admission as ops
from mkr_web.tasks import remind_deadlines
from tests.factories import World, application, row
from tests.support import browser_login, confirm_in_dialog
from workflows.admission import CandidateState

pytestmark = pytest.mark.e2e


def _protocol(w: World, n: int):
    rows = [row(surname=f"Кандидатова{i:02d}") for i in range(n)]
    batch = ops.create_batch(w.edition, rows, w.organizer)
    db.session.commit()
    return batch


def test_coordinator_confirms_thirty_candidates_with_one_submit(page: Page, factory):
    w = World(factory)
    _protocol(w, 30)
    browser_login(page, w.coord1.email)
    todo = page.get_by_test_id("todo")
    expect(todo).to_contain_text("Кандидаты: подтвердить данные и согласие")
    todo.get_by_role("link", name="Кандидаты: подтвердить данные и согласие").click()
    table = page.get_by_test_id("candidates")
    expect(table.locator('input[name="ids"]')).to_have_count(30)
    page.wait_for_load_state("load")  # "check all" is confirm.js's, run at the end of <body>
    page.get_by_label("Отметить всех").check()
    for box in table.get_by_label("оригинал у меня").all():
        box.check()
    confirm_in_dialog(
        page,
        page.get_by_test_id("bulk-submit"),
        "Подтвердить данные и согласие отмеченных кандидатов: 30.",
    )
    expect(page.get_by_role("alert").first).to_have_text("Подтверждено кандидатов: 30.")
    db.session.expire_all()
    states = db.session.scalars(sa.select(AdmissionCandidate.state)).all()
    assert states == [CandidateState.CONFIRMED] * 30


def test_each_side_sees_the_to_do_and_the_notification_of_the_step_before(page: Page, factory):
    w = World(factory)
    batch = _protocol(w, 2)  # the organiser's step: the coordinator is next
    browser_login(page, w.coord1.email)
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    expect(page.locator('[data-todo="confirm"]')).to_contain_text("2")
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notifications")).to_contain_text(
        f"{batch.number}: кандидаты на подтверждение (2)"
    )
    # the coordinator's step: return a row; the organiser is next
    page.goto(f"/coordinator/admission/candidates/{batch.candidates[0].id}")
    page.get_by_label("Что нужно исправить").fill("Проверьте дату рождения.")
    page.get_by_role("button", name="Вернуть на исправление").click()
    expect(page.get_by_role("alert").first).to_have_text("Строка возвращена организатору.")
    browser_login(page, w.organizer.email)
    expect(page.locator('[data-todo="rows_returned"]')).to_contain_text("1")
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notifications")).to_contain_text(
        f"{batch.number}: строка 1 возвращена на исправление"
    )
    expect(page.get_by_test_id("notifications")).to_contain_text("Проверьте дату рождения.")


def test_a_review_reminder_email_reaches_the_smtp_server(page: Page, factory, smtp_server):
    server = smtp_server("starttls", login=("mkr-relay", "relay-password"))
    w = World(factory, experts=2)
    a = application(w, submitted=True)
    assert [s for s, _to, _b in server.parsed()] == [
        f"{a.number}: заявка на аккредитацию подана"
    ] * 2
    server.messages.clear()
    browser_login(page, w.admin.email)
    page.goto(f"/admin/accreditation/{a.id}")
    page.get_by_label("Эксперты").select_option(label=[w.expert.full_name, w.expert2.full_name])
    page.get_by_role("button", name="Назначить экспертов").click()
    expect(page.get_by_test_id("review-counts")).to_contain_text("Назначено: 2")
    assigned = [s for s, to, _b in server.parsed()]
    assert assigned == [f"Назначена экспертиза: {a.number} · {a.title}"] * 2
    # three days before the deadline the daily beat task reminds the expert by e-mail
    due = date.today() + timedelta(days=3)
    db.session.execute(sa.update(ReviewAssignment).values(due_on=due))
    db.session.commit()
    server.messages.clear()
    remind_deadlines.delay()
    reminders = server.parsed()
    due_text = due.strftime("%d.%m.%Y")
    assert sorted(to for _s, to, _b in reminders) == sorted([w.expert.email, w.expert2.email])
    subject, _to, body = reminders[0]
    assert subject == f"Срок экспертизы {due_text}: {a.number} · {a.title}"
    assert body.startswith(
        "До окончания срока экспертизы осталось 3 дня. Отправьте оценку до " + due_text + "."
    )
    assert "http://127.0.0.1:5000/expert/reviews/" in body  # absolute, from MKR_BASE_URL
    browser_login(page, w.expert.email)
    expect(page.get_by_test_id("todo")).to_contain_text(f"срок: {due_text}")
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notifications")).to_contain_text(
        f"Срок экспертизы {due_text}: {a.number}"
    )
