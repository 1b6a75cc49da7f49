"""The API's bodies as marshmallow schemas: what the views dump and load, and what the
OpenAPI document shows (one definition for both)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows.admission import CandidateState
from workflows.lifecycle import PersonStatus

from ..models import (
    CertificateKind,
    CountCategory,
    Direction,
    EditionFormat,
    EditionState,
    EventKind,
    EventLevel,
    MunicipalityKind,
    OrganizationKind,
)

MAX_LIMIT = 200


def _values(enum_cls) -> list[str]:
    return [m.value for m in enum_cls]


class Strict(Schema):
    class Meta:
        ordered = True


class PageQuery(Strict):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": "page size"},
    )
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "next_cursor of the previous page"},
    )


def page_of(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "pass as ?cursor= for the next page; null: last page"},
            ),
        },
        name=name,
    )


class MunicipalitySchema(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_values(MunicipalityKind)))


class OrganizationQuery(PageQuery):
    municipality_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    kind = fields.String(load_default=None, validate=validate.OneOf(_values(OrganizationKind)))


class OrganizationSchema(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_values(OrganizationKind)))
    municipality_id = fields.Integer(allow_none=True, required=True)
    is_regional_subordination = fields.Boolean(required=True)


class EventQuery(PageQuery):
    kind = fields.String(load_default=None, validate=validate.OneOf(_values(EventKind)))


class EventSchema(Strict):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    short_title = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_values(EventKind)))
    direction = fields.String(required=True, validate=validate.OneOf(_values(Direction)))
    level = fields.String(required=True, validate=validate.OneOf(_values(EventLevel)))
    organizer_id = fields.Integer(allow_none=True, required=True)


class EditionQuery(PageQuery):
    year = fields.Integer(load_default=None, validate=validate.Range(1990, 2100))
    event_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))


class EditionSchema(Strict):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    title = fields.String(allow_none=True, required=True)
    starts_on = fields.Date(allow_none=True, required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    format = fields.String(required=True, validate=validate.OneOf(_values(EditionFormat)))
    state = fields.String(required=True, validate=validate.OneOf(_values(EditionState)))
    note = fields.String(allow_none=True, required=True)


class PersonQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(_values(PersonStatus)))
    municipality_id = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1))
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "part of the name (case and ё/е ignored)"},
    )


class PersonSchema(Strict):
    id = fields.Integer(required=True)
    surname = fields.String(required=True)
    name = fields.String(required=True)
    patronymic = fields.String(allow_none=True, required=True)
    birth_on = fields.Date(allow_none=True, required=True)
    snils = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "SNILS (personal insurance number) as 123-456-789 01, masked for roles without access"
        },
    )
    municipality_id = fields.Integer(allow_none=True, required=True)
    organization_id = fields.Integer(allow_none=True, required=True)
    grade = fields.String(allow_none=True, required=True)
    email = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(_values(PersonStatus)))
    status_since = fields.Date(allow_none=True, required=True)
    admission_on = fields.Date(allow_none=True, required=True)
    admission_basis = fields.String(allow_none=True, required=True)
    version = fields.Integer(required=True)


class CertificateQuery(PageQuery):
    kind = fields.String(load_default=None, validate=validate.OneOf(_values(CertificateKind)))


class CertificateSchema(Strict):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_values(CertificateKind)))
    number = fields.String(required=True)
    code = fields.String(required=True)
    issued_on = fields.Date(required=True)
    subject_id = fields.Integer(required=True)
    is_valid = fields.Boolean(required=True)
    verify_url = fields.String(required=True)


class FactSchema(Strict):
    label = fields.String(required=True)
    value = fields.String(required=True)


class VerificationSchema(Strict):
    number = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    issued_on = fields.Date(required=True)
    is_valid = fields.Boolean(required=True)
    facts = fields.List(fields.Nested(FactSchema), required=True)


class ReportQuery(Strict):
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))
    as_of = fields.Date(load_default=None, metadata={"description": "the as-of date (ISO)"})


class CandidateQuery(PageQuery):
    state = fields.String(load_default=None, validate=validate.OneOf(_values(CandidateState)))


class CandidateSchema(Strict):
    id = fields.Integer(required=True)
    batch_id = fields.Integer(required=True)
    row_no = fields.Integer(required=True)
    surname = fields.String(required=True)
    name = fields.String(required=True)
    patronymic = fields.String(allow_none=True, required=True)
    birth_on = fields.Date(required=True)
    organization_name = fields.String(required=True)
    grade = fields.String(allow_none=True, required=True)
    municipality_id = fields.Integer(required=True)
    snils = fields.String(
        allow_none=True, required=True, metadata={"description": "SNILS, masked for organisers"}
    )
    result = fields.String(required=True)
    place = fields.Integer(allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf(_values(CandidateState)))
    reason = fields.String(allow_none=True, required=True)
    match = fields.String(required=True)
    due_on = fields.Date(allow_none=True, required=True)
    version = fields.Integer(required=True)


class ConfirmBody(Strict):
    consent_on = fields.Date(required=True, metadata={"description": "date of the consent"})
    on_file = fields.Boolean(
        required=True, metadata={"description": "the signed original is kept by the checker"}
    )


class ReasonBody(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class AdmitBody(Strict):
    on = fields.Date(load_default=None, metadata={"description": "admission date (default today)"})


class ProtocolRow(Strict):
    surname = fields.String(required=True, validate=validate.Length(max=100))
    name = fields.String(required=True, validate=validate.Length(max=100))
    patronymic = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100)
    )
    birth_date = fields.String(
        required=True,
        validate=validate.Length(max=20),
        metadata={"description": "ДД.ММ.ГГГГ or ISO"},
    )
    organization = fields.String(required=True, validate=validate.Length(max=300))
    grade = fields.String(required=True, validate=validate.Length(max=40))
    municipality = fields.String(required=True, validate=validate.Length(max=200))
    result = fields.String(
        required=True,
        validate=validate.Length(max=40),
        metadata={"description": "победитель / призёр"},
    )
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10))
    section = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    parent_contact = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=300)
    )
    snils = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "SNILS (optional): matched to the bank before the name"},
    )


class ProtocolBody(Strict):
    rows = fields.List(
        fields.Nested(ProtocolRow), required=True, validate=validate.Length(min=1, max=2000)
    )
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "true: only the preview (errors and matches), nothing written"},
    )


class PreviewRowSchema(Strict):
    row = fields.Integer(required=True, metadata={"description": "1-based position in rows"})
    match = fields.String(allow_none=True, required=True)
    errors = fields.List(fields.Dict(), required=True)


class TableResultSchema(Strict):
    rows = fields.Integer(required=True)
    result = fields.Dict(
        allow_none=True,
        required=True,
        metadata={"description": "what was written (null for a dry run)"},
    )
    preview = fields.List(fields.Nested(PreviewRowSchema), required=True)


class TransitionSchema(Strict):
    id = fields.Integer(required=True)
    state = fields.String(required=True)
    version = fields.Integer(required=True)


class GirQuery(Strict):
    year = fields.Integer(
        load_default=None,
        validate=validate.Range(2000, 2100),
        metadata={"description": "default: last year"},
    )


class GirColumnSchema(Strict):
    key = fields.String(required=True)
    title = fields.String(required=True)
    required = fields.Boolean(required=True)


class GirRowSchema(Strict):
    snils = fields.String(required=True)
    surname = fields.String(required=True)
    name = fields.String(required=True)
    patronymic = fields.String(allow_none=True, required=True)
    birth_on = fields.Date(required=True)
    event = fields.String(required=True)
    level = fields.String(required=True)
    result = fields.String(required=True)
    achieved_on = fields.Date(required=True)


class GirErrorSchema(Strict):
    person_id = fields.Integer(required=True)
    person = fields.String(required=True)
    event = fields.String(allow_none=True, required=True)
    missing = fields.List(fields.String(), required=True)


class GirExportSchema(Strict):
    year = fields.Integer(required=True)
    columns = fields.List(fields.Nested(GirColumnSchema), required=True)
    rows = fields.List(fields.Nested(GirRowSchema), required=True)
    errors = fields.List(fields.Nested(GirErrorSchema), required=True)


class CountSchema(Strict):
    municipality_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    category = fields.String(required=True, validate=validate.OneOf(_values(CountCategory)))
    count = fields.Integer(required=True, validate=validate.Range(0, 1_000_000))


class CountsSchema(Strict):
    edition_id = fields.Integer(required=True)
    counts = fields.List(fields.Nested(CountSchema), required=True)


class CountsBody(Strict):
    counts = fields.List(
        fields.Nested(CountSchema),
        required=True,
        validate=validate.Length(max=5000),
        metadata={"description": "the whole grid: cells left out are zero"},
    )


class ParticipantRow(Strict):
    surname = fields.String(required=True, validate=validate.Length(max=100))
    name = fields.String(required=True, validate=validate.Length(max=100))
    patronymic = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100)
    )
    birth_on = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "ДД.ММ.ГГГГ or ISO"},
    )
    municipality = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=200)
    )
    organization = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=300)
    )
    role = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "участник / победитель / призёр / эксперт / наставник / модератор"
        },
    )
    place = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 999))
    section = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    snils = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "SNILS (optional): matched to the bank before the name"},
    )


class ParticipantsBody(Strict):
    rows = fields.List(
        fields.Nested(ParticipantRow), required=True, validate=validate.Length(min=1, max=5000)
    )
    dry_run = fields.Boolean(load_default=False)


class ParticipantSchema(Strict):
    person_id = fields.Integer(required=True)
    surname = fields.String(required=True)
    name = fields.String(required=True)
    patronymic = fields.String(allow_none=True, required=True)
    role = fields.String(required=True)
    place = fields.Integer(allow_none=True, required=True)
    section = fields.String(allow_none=True, required=True)
