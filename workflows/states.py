"""State enums carry their Russian title and Bootstrap badge colour."""

from __future__ import annotations

from enum import StrEnum


class LabeledState(StrEnum):
    """Subclasses define ``_LABELS = {value: (title_ru, badge)}`` after the members."""

    @property
    def title_ru(self) -> str:
        return type(self)._labels()[self.value][0]

    @property
    def badge(self) -> str:
        return type(self)._labels()[self.value][1]

    @classmethod
    def _labels(cls) -> dict:
        return LABELS[cls.__name__]


LABELS: dict[str, dict[str, tuple[str, str]]] = {}


def labels(cls_name: str, mapping: dict[str, tuple[str, str]]) -> None:
    LABELS[cls_name] = mapping
