"""Pages of events, editions, counts and participants, shared by the admin's and the
organiser's blueprints. Each function is the body of a view: the blueprints declare the routes
and roles, pass their name (``ep``) for links, and the current membership scopes every load
(an event outside it is 404)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from workflows.roles import Role

from ..access import current_membership
from ..errors import CountsError
from ..models import (
    CountCategory,
    Direction,
    EditionFormat,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Municipality,
    Organization,
    OrganizationKind,
    ParticipationRole,
)
from ..operations.events import (
    EditionData,
    EventData,
    ParticipantRow,
    add_participants,
    save_counts,
    save_edition,
    save_event,
)
from ..queries.events import (
    accredited_events,
    counts_grid,
    edition_totals,
    editions_for,
    event_rows,
    events_for,
    grid_municipalities,
    participants_of,
)
from ..queries.reference import organizations_of
from .commit import commit_or_refuse
from .forms import (
    CATEGORY_TITLES,
    EDITION_STATE_TITLES,
    FORMAT_TITLES,
    LEVEL_TITLES,
    EditionForm,
    EventForm,
    ParticipantForm,
)
from .loading import all_in_tenant_or_404, by_id_or_404

ORGANIZER_KINDS = (EventKind.SATELLITE, EventKind.OTHER)
TITLES = {
    "levels": LEVEL_TITLES,
    "formats": FORMAT_TITLES,
    "edition_states": EDITION_STATE_TITLES,
    "categories": CATEGORY_TITLES,
}


def _is_admin() -> bool:
    return current_membership().role is Role.ADMIN


def event_or_404(event_id: int) -> Event:
    return by_id_or_404(events_for(current_membership()), Event, event_id)


def edition_or_404(edition_id: int) -> EventEdition:
    return by_id_or_404(editions_for(current_membership()), EventEdition, edition_id)


def _orgs(tenant_id: int, *, partners_only: bool = False) -> list[Organization]:
    return organizations_of(
        tenant_id, exclude_kinds=[OrganizationKind.SCHOOL] if partners_only else None
    )


def _in_tenant(model, ids, tenant_id: int) -> list:
    return all_in_tenant_or_404(model, ids, tenant_id)


def _event_form(event: Event | None) -> EventForm:
    membership = current_membership()
    tenant_id = membership.tenant_id
    data = {}
    if event is not None:
        data = {
            "kind": event.kind.value,
            "direction": event.direction.value,
            "level": event.level.value,
            "organizer_id": event.organizer_id or 0,
            "partner_ids": [o.id for o in event.partners],
            "related_event_id": event.related_event_id or 0,
        }
    form = EventForm(obj=event, **data)
    if not _is_admin():
        form.kind.choices = [(k.value, k.title_ru) for k in ORGANIZER_KINDS]
        del form.organizer_id
    else:
        form.organizer_id.choices = [(0, "—")] + [(o.id, o.name) for o in _orgs(tenant_id)]
    form.partner_ids.choices = [(o.id, o.name) for o in _orgs(tenant_id, partners_only=True)]
    accredited = accredited_events(tenant_id)
    form.related_event_id.choices = [(0, "—")] + [
        (e.id, e.short_title or e.title) for e in accredited if event is None or e.id != event.id
    ]
    return form


def _event_data(form: EventForm) -> EventData:
    membership = current_membership()
    tenant_id = membership.tenant_id
    if _is_admin():
        organizer = _in_tenant(Organization, [form.organizer_id.data], tenant_id)
        organizer = organizer[0] if organizer else None
    else:
        organizer = membership.organization
    related = _in_tenant(Event, [form.related_event_id.data], tenant_id)
    return EventData(
        title=form.title.data,
        short_title=form.short_title.data,
        kind=EventKind(form.kind.data),
        direction=Direction(form.direction.data),
        level=EventLevel(form.level.data),
        organizer=organizer,
        partners=_in_tenant(Organization, form.partner_ids.data, tenant_id),
        related_event=related[0] if related else None,
    )


def events_list(ep: str):
    rows = event_rows(events_for(current_membership()))
    return render_template("events/list.html", ep=ep, rows=rows, can_create=True)


def event_new(ep: str):
    form = _event_form(None)
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            save_event,
            current_membership().tenant_id,
            _event_data(form),
            success=_("Мероприятие создано."),
        )
        if outcome.ok:
            return redirect(url_for(f"{ep}.event_detail", event_id=outcome.result.id))
    return render_template("events/event_form.html", ep=ep, form=form, event=None)


def event_detail(ep: str, event_id: int):
    event = event_or_404(event_id)
    editable = _is_admin() or event.kind in ORGANIZER_KINDS
    form = _event_form(event) if editable else None
    if form is not None and form.validate_on_submit():
        if commit_or_refuse(
            save_event, event.tenant_id, _event_data(form), event, success=_("Сохранено.")
        ).ok:
            return redirect(url_for(f"{ep}.event_detail", event_id=event.id))
    editions = list(event.editions)
    return render_template(
        "events/event.html",
        ep=ep,
        event=event,
        form=form,
        editions=editions,
        totals=edition_totals([e.id for e in editions]),
        titles=TITLES,
    )


def _edition_data(form: EditionForm) -> EditionData:
    return EditionData(
        year=form.year.data,
        state=EditionState(form.state.data),
        format=EditionFormat(form.format.data),
        title=form.title.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        note=form.note.data,
    )


def edition_new(ep: str, event_id: int):
    event = event_or_404(event_id)
    form = EditionForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            save_edition, event, _edition_data(form), success=_("Проведение добавлено.")
        )
        if outcome.ok:
            return redirect(url_for(f"{ep}.edition_detail", edition_id=outcome.result.id))
    return render_template("events/edition_form.html", ep=ep, event=event, edition=None, form=form)


def edition_detail(ep: str, edition_id: int):
    edition = edition_or_404(edition_id)
    form = EditionForm(obj=edition, format=edition.format.value, state=edition.state.value)
    if form.validate_on_submit():
        if commit_or_refuse(
            save_edition, edition.event, _edition_data(form), edition, success=_("Сохранено.")
        ).ok:
            return redirect(url_for(f"{ep}.edition_detail", edition_id=edition.id))
    return render_template(
        "events/edition_form.html",
        ep=ep,
        event=edition.event,
        edition=edition,
        form=form,
        totals=edition_totals([edition.id])[edition.id],
        titles=TITLES,
    )


def edition_counts(ep: str, edition_id: int):
    """The grid municipality × category, saved all or nothing."""
    edition = edition_or_404(edition_id)
    municipalities = grid_municipalities(edition.tenant_id)
    form = FlaskForm()
    values = {(m, c): str(n) for (m, c), n in counts_grid(edition).items()}
    errors = {}
    if form.validate_on_submit():
        raw = {
            (m.id, c): request.form.get(f"c-{m.id}-{c.value}", "")
            for m in municipalities
            for c in CountCategory
        }
        error = commit_or_refuse(
            save_counts, edition, raw, success=_("Численность участников сохранена.")
        ).error
        if error is None:
            return redirect(url_for(f"{ep}.edition_counts", edition_id=edition.id))
        values = {k: v.strip() for k, v in raw.items()}
        errors = error.errors if isinstance(error, CountsError) else {}
    return render_template(
        "events/counts.html",
        ep=ep,
        edition=edition,
        event=edition.event,
        form=form,
        municipalities=municipalities,
        categories=list(CountCategory),
        values=values,
        errors=errors,
        titles=TITLES,
        totals=edition_totals([edition.id])[edition.id],
    )


def edition_participants(ep: str, edition_id: int):
    """The persons of an edition; one can be added by hand (lists come through the import)."""
    edition = edition_or_404(edition_id)
    tenant_id = edition.tenant_id
    form = ParticipantForm()
    form.municipality_id.choices = [(0, "—")] + [
        (m.id, m.name) for m in grid_municipalities(tenant_id)
    ]
    form.organization_id.choices = [(0, "—")] + [(o.id, o.name) for o in _orgs(tenant_id)]
    if form.validate_on_submit():
        municipality = _in_tenant(Municipality, [form.municipality_id.data], tenant_id)
        organization = _in_tenant(Organization, [form.organization_id.data], tenant_id)
        row = ParticipantRow(
            surname=form.surname.data,
            name=form.name.data,
            patronymic=form.patronymic.data,
            birth_on=form.birth_on.data,
            municipality=municipality[0] if municipality else None,
            organization=organization[0] if organization else None,
            role=ParticipationRole(form.role.data),
            place=form.place.data,
            section=form.section.data,
        )
        outcome = commit_or_refuse(add_participants, edition, [row])
        if outcome.ok:
            r = outcome.result
            if r.duplicates:
                flash(_("Этот участник в этой роли уже есть в списке."), "warning")
            elif r.persons_created:
                flash(_("Участник добавлен (новая запись в банке)."), "success")
            else:
                flash(_("Участник добавлен (найден в банке по ФИО и дате рождения)."), "success")
            return redirect(url_for(f"{ep}.edition_participants", edition_id=edition.id))
    return render_template(
        "events/participants.html",
        ep=ep,
        edition=edition,
        event=edition.event,
        form=form,
        participants=participants_of(edition),
        titles=TITLES,
    )
