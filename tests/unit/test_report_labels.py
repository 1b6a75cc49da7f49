"""The dashboard's criteria titles (``web/report.py``, translated on output) are the annual
report's titles (``queries.report``, printed in Russian in the PDF and XLSX), word for word."""

from __future__ import annotations

from mkr_web.queries.report import CRITERIA_TITLES
from mkr_web.web.report import CRITERION_TITLES


def test_the_dashboard_titles_are_the_reports():
    msgids = {n: title._args[0] for n, title in CRITERION_TITLES.items()}  # lazy: the msgid
    assert msgids == CRITERIA_TITLES
    assert msgids[4] == "Мероприятия-спутники для Резидентов"
