"""Automatic expiry of accreditations (Celery beat) and the reminder before it."""

from datetime import date

import sqlalchemy as sa

from mkr_web.extensions import db
from mkr_web.models import AccreditationApplication, Notification, TransitionLog
from mkr_web.operations.accreditation import process_expiry
from tests.factories import accredited
from workflows.review import ReviewState


def _state(app) -> ReviewState:
    db.session.expire_all()
    return db.session.get(AccreditationApplication, app.id).state


def _organizer_notes(w) -> list[str]:
    return db.session.scalars(
        sa.select(Notification.subject)
        .where(Notification.user_id == w.organizer.id)
        .order_by(Notification.id)
    ).all()


def test_expires_after_the_last_year_once(w):
    a = accredited(w, valid=(2017, 2019))
    assert process_expiry(date(2019, 12, 31)) == {"expired": 0, "reminded": 1}
    db.session.commit()
    assert _state(a) is ReviewState.ACCREDITED
    assert process_expiry(date(2020, 1, 1)) == {"expired": 1, "reminded": 0}
    db.session.commit()
    assert _state(a) is ReviewState.EXPIRED
    log = db.session.scalars(sa.select(TransitionLog).order_by(TransitionLog.id.desc())).first()
    assert (log.action, log.role, log.user_id, log.comment) == (
        "expire",
        "system",
        None,
        "Срок аккредитации истёк 31.12.2019",
    )
    assert _organizer_notes(w)[-1] == f"{a.number}: срок аккредитации истёк"
    assert process_expiry(date(2020, 1, 2)) == {"expired": 0, "reminded": 0}


def test_reminder_goes_out_the_set_number_of_days_before_once(w):
    a = accredited(w, valid=(2020, 2022))
    # expiry_notice_days defaults to 60: 31.12.2022 - 60 days = 01.11.2022
    assert process_expiry(date(2022, 10, 31)) == {"expired": 0, "reminded": 0}
    assert process_expiry(date(2022, 11, 1)) == {"expired": 0, "reminded": 1}
    db.session.commit()
    assert process_expiry(date(2022, 11, 2)) == {"expired": 0, "reminded": 0}
    notes = _organizer_notes(w)
    assert notes[-1] == f"{a.number}: срок аккредитации скоро истекает"
    body = db.session.scalars(
        sa.select(Notification.body)
        .where(Notification.user_id == w.organizer.id)
        .order_by(Notification.id.desc())
    ).first()
    assert (
        body
        == "Аккредитация действует до 31.12.2022 (осталось дней: 60). Подайте новую заявку заранее."
    )
    # DOMAIN 9: the admins hear of it too
    admin_note = db.session.execute(
        sa.select(Notification.subject, Notification.body)
        .where(Notification.user_id == w.admin.id)
        .order_by(Notification.id.desc())
    ).first()
    assert tuple(admin_note) == (
        f"{a.number}: срок аккредитации истекает 31.12.2022",
        "Аккредитация мероприятия «Конференция „Шаг в науку“» (Центр t1) действует до "
        "31.12.2022 (осталось дней: 60).",
    )
    assert db.session.get(AccreditationApplication, a.id).expiry_notified_at is not None


def test_notice_days_are_a_tenant_setting(w):
    w.tenant.settings = {"expiry_notice_days": 10}
    db.session.commit()
    accredited(w, valid=(2020, 2022))
    assert process_expiry(date(2022, 12, 20)) == {"expired": 0, "reminded": 0}
    assert process_expiry(date(2022, 12, 21)) == {"expired": 0, "reminded": 1}


def test_only_accredited_applications_are_touched(w):
    from tests.factories import application_reviewed as reviewed

    a = reviewed(w)
    assert process_expiry(date(2100, 1, 1)) == {"expired": 0, "reminded": 0}
    assert _state(a) is ReviewState.REVIEWED


def test_beat_task_is_scheduled_and_commits(app, w):
    from mkr_web.tasks import expire_accreditations

    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["expire-accreditations"]["task"] == "mkr.accreditation.expire"
    a = accredited(w, valid=(2016, 2018))  # long past
    assert expire_accreditations.run() == {"expired": 1, "reminded": 0}
    assert _state(a) is ReviewState.EXPIRED
