"""One small engine for every workflow: a transition table and ``apply``.

A :class:`Machine` is a table of :class:`Transition` rows ``(sources, action, target, roles,
guard)``. :func:`apply` checks that the action is allowed from the item's current state for
the actor's role and that the guard passes, then sets the new state and returns a
:class:`TransitionRecord` for the caller to persist (who, when, from, to, comment). The
caller (``mkr_web.operations.transitions``) persists the record and commits once, so the
state change and its record are atomic. Nothing here imports Flask or SQLAlchemy.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: The actor of automatic transitions (Celery beat, "all reviews are in").
SYSTEM = "system"

Guard = Callable[[Any, "Action"], "str | None"]


class TransitionRefused(Exception):
    """An illegal or unguarded transition. ``str(exc)`` is a message for the user."""


@dataclass(frozen=True)
class Action:
    """What the actor asks for: the action name, the role acted in, a comment, extras."""

    name: str
    role: str
    actor_id: int | None = None
    comment: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    action: str
    target: enum.Enum
    roles: frozenset[str]
    guard: Guard | None = None

    @classmethod
    def of(cls, sources, action: str, target, roles: Iterable[str], guard: Guard | None = None):
        if isinstance(sources, enum.Enum):
            sources = [sources]
        return cls(frozenset(sources), action, target, frozenset(str(r) for r in roles), guard)


@dataclass(frozen=True)
class TransitionRecord:
    machine: str
    action: str
    from_state: str
    to_state: str
    role: str
    actor_id: int | None
    comment: str
    at: datetime


class Machine:
    def __init__(
        self,
        name: str,
        states: type[enum.Enum],
        transitions: Iterable[Transition],
        titles: dict[str, str] | None = None,
    ):
        self.name = name
        self.states = states
        self.transitions = tuple(transitions)
        self.action_titles = titles or {}
        seen = set()
        for t in self.transitions:
            for s in t.sources:
                if not isinstance(s, states) or not isinstance(t.target, states):
                    raise ValueError(f"{name}: {t.action} uses a state outside {states.__name__}")
                if (s, t.action) in seen:
                    raise ValueError(f"{name}: two transitions for ({s.value}, {t.action})")
                seen.add((s, t.action))

    def find(self, state, action: str) -> Transition | None:
        return next(
            (t for t in self.transitions if t.action == action and state in t.sources), None
        )

    def roles_of(self, action: str) -> frozenset[str]:
        """Every role that may perform ``action`` from some state."""
        return frozenset(r for t in self.transitions if t.action == action for r in t.roles)

    def available(self, state, role: str) -> list[str]:
        """Actions the role may attempt from ``state`` (guards are checked on apply)."""
        return [t.action for t in self.transitions if state in t.sources and str(role) in t.roles]

    def title(self, action: str) -> str:
        return self.action_titles.get(action, action)

    def check_role(self, action: str, role) -> None:
        """Refuse a role that may perform ``action`` from no state at all (checked before the
        state, so that such a role hears about its role, not about the item's state)."""
        roles = self.roles_of(action)
        if roles and str(role) not in roles:
            raise TransitionRefused(f"Действие «{self.title(action)}» недоступно для вашей роли.")

    def check(self, state, action: Action, item: Any = None) -> Transition:
        self.check_role(action.name, action.role)
        transition = self.find(state, action.name)
        state_title = getattr(state, "title_ru", getattr(state, "value", state))
        if transition is None:
            raise TransitionRefused(
                f"Действие «{self.title(action.name)}» невозможно в состоянии «{state_title}»."
            )
        if str(action.role) not in transition.roles:
            raise TransitionRefused(
                f"Действие «{self.title(action.name)}» недоступно для вашей роли."
            )
        if transition.guard is not None:
            reason = transition.guard(item, action)
            if reason:
                raise TransitionRefused(reason)
        return transition


def apply(
    machine: Machine,
    item: Any,
    action: Action,
    *,
    state_attr: str = "state",
    now: datetime | None = None,
) -> TransitionRecord:
    """Check and perform ``action`` on ``item`` (sets ``item.<state_attr>``)."""
    current = getattr(item, state_attr)
    transition = machine.check(current, action, item)
    setattr(item, state_attr, transition.target)
    return TransitionRecord(
        machine=machine.name,
        action=action.name,
        from_state=current.value,
        to_state=transition.target.value,
        role=str(action.role),
        actor_id=action.actor_id,
        comment=action.comment,
        at=now or datetime.now(UTC).replace(tzinfo=None),
    )


def comment_required(message: str) -> Guard:
    def guard(item, action: Action) -> str | None:
        return None if (action.comment or "").strip() else message

    return guard
