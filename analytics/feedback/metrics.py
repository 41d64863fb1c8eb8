"""Per-company NPS gauges per source, for the current ISO week so far, set every hour by
`analytics.feedback_gauges` (each company, in its schema):

- `secretaria_nps_responses{company,source}`: scores of the week, per source ("followup" for the
  follow-up answers, or what the sending system called itself: "google", "pesquisa"...);
- `secretaria_nps_by_source{company,source}`: the week's NPS of that source (-100 to 100), set only
  while it has responses (read it where responses > 0).

The overall weekly NPS is the reports' `secretaria_nps{company}`, which counts ingested scores too.
No per-contact labels. A source is a label, so the sources are bounded: the follow-ups and the
ten sources that sent the most in the last five weeks; the rest add up under "outros".
`mostrecent` in multiprocess mode: each worker that sets a company's value, the newest wins.
Set only when settings.METRICS_COMPANY_FIGURES is on, like the reports' gauges (per-company business
figures; docs/alerts.md): the tally is returned either way.
"""

from __future__ import annotations

from django.conf import settings
from prometheus_client import Gauge

from analytics.feedback.nps import Tally
from analytics.feedback.selectors import feedback_sources_recent, nps_week_by_source
from analytics.feedback.services import FOLLOWUP_SOURCE

OTHERS = "outros"
MAX_SOURCES = 10
RECENT_DAYS = 35

NPS_RESPONSES = Gauge("secretaria_nps_responses",
                      "Scores of the current ISO week per company and source (follow-ups and ingested feedback).",
                      ["company", "source"], multiprocess_mode="mostrecent")
NPS_BY_SOURCE = Gauge("secretaria_nps_by_source",
                      "Net promoter score of the current ISO week per company and source (-100 to 100).",
                      ["company", "source"], multiprocess_mode="mostrecent")


def nps_gauges_export(*, schema: str) -> dict[str, Tally]:
    """Set the company's gauges; returns what was set, per source label."""
    week = nps_week_by_source()
    labelled = dict.fromkeys([FOLLOWUP_SOURCE, *feedback_sources_recent(days=RECENT_DAYS, limit=MAX_SOURCES)])
    shown: dict[str, Tally] = {source: Tally() for source in labelled}
    for source, tally in week.items():
        target = shown.setdefault(source if source in labelled else OTHERS, Tally())
        target.add(promoters=tally.promoters, passives=tally.passives, detractors=tally.detractors)
    if not settings.METRICS_COMPANY_FIGURES:
        return shown
    for source, tally in shown.items():
        # A source quiet this week reads 0 responses (its last NPS stays: read it with responses > 0).
        NPS_RESPONSES.labels(company=schema, source=source).set(tally.responses)
        if tally.nps is not None:
            NPS_BY_SOURCE.labels(company=schema, source=source).set(tally.nps)
    return shown
