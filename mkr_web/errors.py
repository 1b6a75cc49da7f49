"""The refusals every layer raises and every view shows.

A refusal is an expected "no" (bad input, a rule, a stale page): ``str(exc)`` is a message for
the user, shown as is by the one commit helper (:func:`mkr_web.web.commit.commit_or_refuse`).
Anything else is a bug and becomes a 500. :class:`TransitionRefused` lives with the workflow
engine (``workflows/`` imports nothing of the app) and is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.engine import TransitionRefused


class Refusal(ValueError):
    """A refused action; the message is shown to the user as is."""


class OperationError(Refusal):
    """An operation refused by a rule of the domain."""


class UploadError(Refusal):
    """A refused upload (size, type, content); the message names the reason."""


class ImportRefused(Refusal):
    """A whole imported file is refused; ``str(exc)`` says why."""


class StaleItem(Refusal):
    """The item changed since the user loaded it."""

    def __str__(self) -> str:
        return "Запись изменилась, пока вы её просматривали. Обновите страницу и повторите."


@dataclass(frozen=True)
class RowError:
    """One error of a tabular input: the row number as the user sees it, the column's title
    (``""`` for the whole row) and the reason."""

    row: int
    column: str
    reason: str

    def as_list(self) -> list:
        return [self.row, self.column, self.reason]


class RowsRefused(OperationError):
    """Rows of a table are wrong; nothing was written. ``errors`` lists :class:`RowError`."""

    def __init__(self, message: str, errors: list[RowError]):
        super().__init__(message)
        self.errors = errors

    def with_rows(self, limit: int = 20) -> str:
        """The message followed by the first ``limit`` errors, for a flashed line."""
        rows = "; ".join(f"строка {e.row}, «{e.column}»: {e.reason}" for e in self.errors[:limit])
        return f"{self} {rows}"


class BatchRejected(RowsRefused):
    """A results protocol has errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            f"Протокол не принят: ошибок — {len(errors)}. Исправьте строки и отправьте снова.",
            errors,
        )


class CountsError(OperationError):
    """Some cells of a counts grid are wrong; ``errors`` maps (municipality id, category) to
    text."""

    def __init__(self, errors: dict):
        super().__init__(f"Исправьте ошибки в таблице ({len(errors)}): ничего не сохранено.")
        self.errors = errors


class ScoreError(OperationError):
    """Scores refused; ``errors`` maps criterion ids to messages."""

    def __init__(self, errors: dict[int, str]):
        super().__init__("Проверьте оценки: " + "; ".join(errors.values()))
        self.errors = errors


REFUSALS: tuple[type[Exception], ...] = (Refusal, TransitionRefused)

__all__ = [
    "REFUSALS",
    "BatchRejected",
    "CountsError",
    "ImportRefused",
    "OperationError",
    "Refusal",
    "RowError",
    "RowsRefused",
    "ScoreError",
    "StaleItem",
    "TransitionRefused",
    "UploadError",
]
