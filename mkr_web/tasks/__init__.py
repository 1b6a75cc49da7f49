"""Every Celery task, named ``mkr.<topic>.<verb>``. Tasks are thin: they take ids and call an
operation (a job's body runs through :func:`mkr_web.operations.jobs.run_job`). Operations send
them by name (:func:`mkr_web.operations.jobs.send_task`); the beat schedule is in
:mod:`mkr_web.config`."""

from __future__ import annotations

import random

from celery import shared_task

from ..extensions import db
from ..operations import (
    accreditation,
    certificates,
    consents,
    deadlines,
    duplicates,
    exports,
    jobs,
    mail,
    notifications,
    report_snapshot,
    resident_certificates,
    retention,
    submissions,
)
from ..operations.jobs import run_job


def _redelivered(task) -> bool:
    """Whether the broker gave this task again because the worker that had it died."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


MAIL_RETRIES = 5


@shared_task(name="mkr.health.ping", ignore_result=False)
def ping(token: str) -> dict:
    """A round-trip probe for the health page: proves a worker runs and reaches the DB."""
    db.session.execute(db.text("SELECT 1"))
    return {"token": token, "db": "ok"}


@shared_task(name="mkr.certificates.render", bind=True)
def render_certificate(self, job_id: int) -> None:
    """Number (idempotently) and render a certificate for a :class:`Job` (any kind)."""
    run_job(job_id, certificates.issue_and_render, redelivered=_redelivered(self))


@shared_task(name="mkr.admission.render_certificates", bind=True)
def render_batch_certificates(self, job_id: int) -> None:
    """Number and render the certificates of an admission batch into one ZIP."""
    run_job(job_id, resident_certificates.render_batch, redelivered=_redelivered(self))


@shared_task(name="mkr.accreditation.expire")
def expire_accreditations() -> dict:
    """Daily (Celery beat): expire accreditations past their last year, remind organisers."""
    done = accreditation.process_expiry()
    db.session.commit()
    return done


@shared_task(name="mkr.registry.export", bind=True)
def export_registry(self, job_id: int) -> None:
    """The registry's current filter as XLSX/CSV (above ``MKR_EXPORT_INLINE_MAX`` rows)."""
    run_job(job_id, exports.export_registry, redelivered=_redelivered(self))


@shared_task(name="mkr.report.refresh")
def refresh_report_snapshots(tenant_id: int) -> int:
    """After writes (queued, debounced, by the commit): rebuild the tenant's stale year-end
    report snapshots, so the next reader finds them current."""
    return report_snapshot.refresh_stale(tenant_id)


@shared_task(name="mkr.report.refresh_all")
def refresh_all_report_snapshots() -> dict:
    """Nightly (Celery beat): rebuild every tenant's stale year-end report snapshots, drop
    interim ones built more than a week ago."""
    dropped = report_snapshot.forget_old_interim()
    db.session.commit()
    return {"refreshed": report_snapshot.refresh_stale(None, limit=1000), "dropped": dropped}


@shared_task(name="mkr.report.render_pdf", bind=True)
def render_report_pdf(self, job_id: int) -> None:
    """The annual report's PDF into the job's result file."""
    run_job(job_id, exports.render_report_pdf, redelivered=_redelivered(self))


def mail_backoff(retries: int) -> int:
    """Seconds before the next try of an e-mail: 30 s, 1, 2, 4, 8 min, with some jitter."""
    return 30 * 2**retries + random.randint(0, 10)


@shared_task(
    name="mkr.mail.send", bind=True, max_retries=MAIL_RETRIES, acks_late=True, ignore_result=True
)
def send_mail(self, notification_id: int) -> str:
    """E-mail one notification (ids only); retries with backoff, then ``failed`` (outbox).
    Run in-process (no broker) it tries once: a page must not wait for retries."""
    return _send(self, notification_id, account=False)


@shared_task(
    name="mkr.mail.send_account",
    bind=True,
    max_retries=MAIL_RETRIES,
    acks_late=True,
    ignore_result=True,
)
def send_account_mail(self, notification_id: int) -> str:
    """E-mail one account mail (invitation, password reset; ids only), as ``mkr.mail.send``."""
    return _send(self, notification_id, account=True)


def _send(task, notification_id: int, *, account: bool) -> str:
    final = bool(task.request.is_eager) or task.request.retries >= task.max_retries
    try:
        return mail.deliver(notification_id, final=final, account=account)
    except mail.MailFailure as exc:
        db.session.rollback()
        if final:
            return "failed"
        raise task.retry(exc=exc, countdown=mail_backoff(task.request.retries)) from None


@shared_task(name="mkr.mail.flush")
def flush_mail() -> int:
    """Every few minutes (beat): hand over e-mails that never reached a worker."""
    return notifications.hand_over(mail.queued_to_flush()) + notifications.hand_over(
        mail.queued_to_flush(account=True), notifications.ACCOUNT_SEND_TASK
    )


@shared_task(name="mkr.mail.digest")
def send_digests() -> dict:
    """Daily (beat): each user's digest e-mail."""
    return mail.send_digests()


@shared_task(name="mkr.deadlines.remind")
def remind_deadlines() -> dict:
    """Daily (beat): reminders 3 days before a deadline, overdue marks and notices."""
    done = deadlines.process_deadlines()
    db.session.commit()
    return done


@shared_task(name="mkr.consents.remind")
def remind_expiring_consents() -> dict:
    """Daily (beat): tell coordinators and admins about consents ending within 30 days."""
    done = consents.remind_expiring()
    db.session.commit()
    return done


@shared_task(name="mkr.duplicates.find")
def find_duplicates() -> dict:
    """Nightly (beat): refresh each tenant's likely duplicate pairs."""
    done = duplicates.find_duplicates_everywhere()
    db.session.commit()
    return {str(k): v for k, v in done.items()}


@shared_task(name="mkr.retention.propose")
def propose_retention() -> dict:
    """Nightly (beat): list each tenant's persons past retention for the admin to approve."""
    done = retention.propose_everywhere()
    db.session.commit()
    return done


@shared_task(name="mkr.jobs.fail_stuck")
def fail_stuck_jobs() -> int:
    """Every minute (Celery beat): fail the jobs whose worker died (no heartbeat for
    ``MKR_JOB_STALE_MINUTES``), so that their pages offer a restart."""
    count = jobs.fail_stuck_jobs()
    db.session.commit()
    return count


@shared_task(name="mkr.forms.forget_old_tokens")
def forget_old_form_tokens() -> int:
    """Daily (Celery beat): forget single-use form tokens older than two days."""
    count = submissions.forget_old_tokens()
    db.session.commit()
    return count
