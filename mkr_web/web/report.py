"""The report pages shared by the admin's and the coordinator's blueprints (their route
modules, ``admin/report.py`` and ``coordinator/report.py``, declare the routes and the scope).

Every output is rendered from one :func:`build_report` dict (through its snapshot,
:func:`mkr_web.operations.report_snapshot.report_for`). The PDF is rendered by a Celery
task (``mkr.report.render_pdf`` in :mod:`mkr_web.tasks`) into a Job row; its page polls ``…/jobs/<id>.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import OrderedDict
from datetime import date

from flask import Response, abort, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..access import current_tenant
from ..documents.report_format import HELPERS
from ..documents.report_outputs import CONTENT_TYPES, WRITERS, report_filename
from ..models import Job
from ..operations.deadlines import today
from ..operations.exports import REPORT_PDF_JOB, REPORT_PDF_TASK
from ..operations.jobs import start_job
from ..operations.report_snapshot import report_for
from ..queries.report import (
    default_as_of,
    default_year,
    report_years,
    thresholds_of,
)
from . import jobs
from .labels import translate_label
from .params import parse_int

JOB_KIND = REPORT_PDF_JOB
MIN_YEAR, MAX_YEAR = 2000, 2100

#: The criteria's titles on the dashboard, in the UI language. The msgids are the annual
#: report's titles (``queries.report.CRITERIA_TITLES``), which the PDF and the XLSX print in
#: Russian whatever the UI language; ``tests/unit/test_report_labels.py`` keeps them equal.
CRITERION_TITLES = {
    1: _l("Ежегодное пополнение регионального банка данных"),
    2: _l("Обновление и пополнение сети аккредитованных мероприятий"),
    3: _l("Расширение сети организаций-партнёров"),
    4: _l("Мероприятия-спутники для Резидентов"),
    5: _l("Резиденты, прошедшие практики, стажировки, профильные смены и др."),
    6: _l("Публикации в СМИ и на сайтах организаций-партнёров"),
}


def bar_label(bar: dict) -> str:
    """The dashboard's name of a bar of ``criteria_bars`` (the PDF prints its ``label``)."""
    if bar["measure"] == "events":
        return _("Критерий %(n)s (мероприятия)", n=bar["number"])
    if bar["measure"] == "participants":
        return _("Критерий %(n)s (участники)", n=bar["number"])
    return _("Критерий %(n)s", n=bar["number"])


def _year(raw: str | None, tenant_id: int) -> int:
    if raw:
        year = parse_int(raw, minimum=MIN_YEAR, maximum=MAX_YEAR)
        if year is None:
            abort(400)
        return year
    return default_year(tenant_id, today())


def _as_of(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def report_params(source=None) -> tuple[int, date | None]:
    """(year, as_of) from the query string (or a posted form); 400 when malformed."""
    source = request.args if source is None else source
    return _year(source.get("year"), current_tenant().id), _as_of(source.get("as_of"))


def _query(year: int, as_of: date | None) -> dict:
    return {"year": year, **({"as_of": as_of.isoformat()} if as_of else {})}


def dashboard(prefix: str, municipality_ids: list[int] | None):
    tenant = current_tenant()
    year, as_of = report_params()
    report = report_for(tenant.id, year, as_of, municipality_ids)
    years = sorted(set(report_years(tenant.id)) | {year}, reverse=True)
    thresholds = thresholds_of(tenant)
    return render_template(
        "report/dashboard.html",
        r=report,
        prefix=prefix,
        years=years,
        query=_query(year, as_of),
        as_of_default=default_as_of(year).isoformat(),
        body=report_body(report, thresholds, prefix),
        **HELPERS,
    )


#: Rendered report sections by the hash of what they are made of (see :func:`report_body`).
_BODIES: OrderedDict[str, tuple[Markup, bool]] = OrderedDict()
_BODIES_KEPT = 32
_BODIES_LOCK = threading.Lock()


def report_body(report: dict, thresholds: dict, prefix: str) -> Markup:
    """The report's sections (``report/_body.html``), rendered once per content.

    The sections are a pure function of the report, the thresholds, the role's prefix, the
    language, the tenant's time zone and the script root, and of nothing else (no user, no
    form, no token): the HTML is kept per the SHA-256 of exactly those, in this process, for
    the last :data:`_BODIES_KEPT` of them. A changed figure is a different report, hence a
    different key: a stale body cannot be served. Rendering the sections of the 2019 report
    was ~18 ms of the page's ~24; hashing them is ~0.5 ms."""
    from flask_babel import get_locale

    from .formatting import page_zone

    material = [report, thresholds, prefix, str(get_locale()), page_zone(), request.script_root]
    key = hashlib.sha256(
        json.dumps(material, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()
    with _BODIES_LOCK:
        kept = _BODIES.get(key)
        if kept is not None:
            _BODIES.move_to_end(key)
    if kept is None:
        had_time = bool(g.get("shows_time"))
        g.shows_time = False
        html = Markup(
            render_template(
                "report/_body.html",
                r=report,
                prefix=prefix,
                thresholds=thresholds,
                criterion_titles=CRITERION_TITLES,
                bar_label=bar_label,
                label=translate_label,
                **HELPERS,
            )
        )
        kept = (html, bool(g.get("shows_time")))
        g.shows_time = had_time
        with _BODIES_LOCK:
            _BODIES[key] = kept
            while len(_BODIES) > _BODIES_KEPT:
                _BODIES.popitem(last=False)
    html, shows_time = kept
    if shows_time:
        g.shows_time = True  # the page's foot names the zone
    return html


def report_file(fmt: str, municipality_ids: list[int] | None):
    year, as_of = report_params()
    report = report_for(current_tenant().id, year, as_of, municipality_ids)
    data = WRITERS[fmt](report)
    if fmt == "json":
        return Response(data, mimetype=CONTENT_TYPES["json"])
    return send_file(
        io.BytesIO(data),
        mimetype=CONTENT_TYPES[fmt],
        as_attachment=True,
        download_name=report_filename(report, fmt),
    )


def start_pdf(prefix: str, municipality_ids: list[int] | None):
    year, as_of = report_params(request.form)
    params = {
        "year": year,
        "as_of": as_of.isoformat() if as_of else None,
        "municipality_ids": municipality_ids,
    }
    job = start_job(
        current_tenant().id,
        JOB_KIND,
        task=REPORT_PDF_TASK,
        key=str(year),
        params=params,
        user_id=current_user.id,
    )
    return redirect(url_for(f"{prefix}.report_job", job_id=job.id))


def job_or_404(job_id: int, own_only: bool) -> Job:
    """A report job of the current tenant (and, for ``own_only``, started by this user)."""
    return jobs.job_or_404(job_id, kind=JOB_KIND, any_user=not own_only)


def job_status(job: Job, prefix: str) -> dict:
    return jobs.job_status(job, url_for(f"{prefix}.report_job_download", job_id=job.id))


def job_page(job: Job, prefix: str):
    params = job.params or {}
    back = url_for(
        f"{prefix}.report",
        year=params.get("year"),
        **({"as_of": params["as_of"]} if params.get("as_of") else {}),
    )
    return jobs.job_page(
        job,
        url_for(f"{prefix}.report_job_status", job_id=job.id),
        url_for(f"{prefix}.report_job_download", job_id=job.id),
        title=_("Аналитическая справка: PDF"),
        heading=_("Аналитическая справка за %(year)s год: PDF", year=params.get("year")),
        download=_("Скачать PDF"),
        failed=_(
            "Не удалось сформировать PDF. Попробуйте ещё раз или обратитесь к администратору."
        ),
        label=_("Ход формирования PDF"),
        back=(back, _("Вернуться к справке")),
    )


def job_download(job: Job):
    return jobs.job_file(job)
