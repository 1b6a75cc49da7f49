"""Formatting of the report's numbers (Russian conventions) and the geometry of its charts.

Shared by the dashboard (Flask's Jinja) and the PDF (the sandboxed Jinja): both receive
these functions as template globals; the report dict itself holds plain numbers.
"""

from __future__ import annotations

from datetime import date

from .formats import decimal, plural

DASH = "–"


def num(value) -> str:
    """A count for a table: zero and missing are shown as a dash (as in the seed's tables)."""
    if value is None or value == 0:
        return DASH
    return decimal(value)


def count(value) -> str:
    """A count in prose: zero stays 0."""
    return "0" if not value else num(value)


def signed(value) -> str:
    """A change: +30, −20, 0."""
    if value is None:
        return DASH
    return f"{value:+d}".replace("-", "−") if value else "0"


def pct(value, signed: bool = False) -> str:
    if value is None:
        return DASH
    text = decimal(value, 1)
    return ("+" if signed and value >= 0 else "") + text + "\u00a0%"


def day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")


def names(items: list[str]) -> str:
    return ", ".join(items) if items else DASH


CHART_WIDTH = 420  # px of the bar area


def criteria_bars(report: dict) -> dict:
    """One bar per thresholded measure: the value as % of its threshold, 100 % marked. Each
    bar carries its Russian ``label`` (the PDF's) and its ``number`` and ``measure`` (criterion
    4: "events" or "participants"), from which the dashboard names it in the UI language."""
    measures = []
    for c in report["criteria"]:
        if c["threshold"] is None:
            continue
        label = f"Критерий {c['number']}" + (" (мероприятия)" if c["number"] == 4 else "")
        measures.append(
            (
                label,
                c["number"],
                "events" if c["number"] == 4 else None,
                c["value"],
                c["threshold"],
                c["met"] if c["number"] != 4 else c["events_met"],
            )
        )
        if c["number"] == 4:
            measures.append(
                (
                    "Критерий 4 (участники)",
                    4,
                    "participants",
                    c["participants"],
                    c["participants_threshold"],
                    c["participants_met"],
                )
            )
    top = max([200.0] + [v / t * 100 for *_, v, t, _m in measures if t])
    bars = []
    for i, (label, number, measure, value, threshold, met) in enumerate(measures):
        percent = value / threshold * 100 if threshold else 0.0
        bars.append(
            {
                "label": label,
                "number": number,
                "measure": measure,
                "value": value,
                "threshold": threshold,
                "met": met,
                "y": i * 28,
                "percent": round(percent, 1),
                "width": round(min(percent, top) / top * CHART_WIDTH, 1),
            }
        )
    return {
        "bars": bars,
        "plan_x": round(100 / top * CHART_WIDTH, 1),
        "height": len(bars) * 28,
        "width": CHART_WIDTH,
    }


def residents_bars(report: dict) -> dict:
    top = max([r["residents"] for r in report["table1"]] + [1])
    bars = [
        {
            "label": r["municipality"],
            "value": r["residents"],
            "y": i * 20,
            "width": round(r["residents"] / top * CHART_WIDTH, 1),
        }
        for i, r in enumerate(report["table1"])
    ]
    return {"bars": bars, "height": len(bars) * 20, "width": CHART_WIDTH}


def heat_class(editions: int, max_editions: int) -> str:
    """CSS class heat-0..heat-4 of a coverage cell (0: no participation)."""
    if not editions:
        return "heat-0"
    return f"heat-{max(1, min(4, round(editions / max(max_editions, 1) * 4)))}"


HELPERS = {
    "num": num,
    "count": count,
    "signed": signed,
    "pct": pct,
    "plural": plural,
    "day": day,
    "names": names,
    "criteria_bars": criteria_bars,
    "residents_bars": residents_bars,
    "heat_class": heat_class,
}
