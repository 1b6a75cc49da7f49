"""The resident certificate speaks of its holder in their grammatical gender where the
patronymic tells it, neutrally otherwise, and nests quotes «…„…“…»."""

from __future__ import annotations

import re

import pytest

from mkr_web.documents.pdf import render_html
from mkr_web.extensions import db
from mkr_web.models import CertificateKind
from mkr_web.operations import certificates
from tests.factories import make_person


def _lead(person) -> str:
    cert = certificates.issue(person.tenant_id, CertificateKind.RESIDENT, person.id)
    template, _files, context = certificates.document(cert, "https://mkr.example/verify/x")
    html = render_html(template, **context)
    name = re.search(r'<div class="name">[^<]*</div>\s*<div class="lead">([^<]*)</div>', html)
    basis = re.search(r"Основание</td><td>([^<]*)</td>", html)
    return name.group(1), basis.group(1)


@pytest.mark.parametrize(
    ("patronymic", "lead"),
    [
        ("Петровна", "включена в региональный банк данных в качестве резидента."),
        ("Сергеевич", "включён в региональный банк данных в качестве резидента."),
        (None, "является резидентом регионального банка данных."),
    ],
)
def test_the_lead_agrees_with_the_holder(factory, patronymic, lead):
    tenant = factory.tenant()
    person = make_person(
        tenant,
        "Иванова" if patronymic == "Петровна" else "Иванов",
        "Алекс",
        patronymic,
    )
    person.admission_basis = "по итогам «Конференция «Шаг в науку»»"
    db.session.commit()
    got_lead, basis = _lead(person)
    assert got_lead == lead
    assert basis == "по итогам «Конференция „Шаг в науку“»"
