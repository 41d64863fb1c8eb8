"""`secretaria_abtest_exposures_total`, `secretaria_abtest_conversions_total` and
`secretaria_abtest_stops_total`, per slot (never per company, contact or test: the results page has
those; a company label would multiply the series by the fleet, docs/alerts.md).

Counted once the write commits, so a render or an event retried after a rollback is not counted twice.
"""

from prometheus_client import Counter

ABTEST_EXPOSURES = Counter(
    "secretaria_abtest_exposures_total",
    "Contacts shown a wording of a running A/B test (first time only), by template slot.",
    ["slot"],
)
ABTEST_CONVERSIONS = Counter(
    "secretaria_abtest_conversions_total",
    "Exposed contacts who then did what their A/B test is judged on, within its window, by template slot.",
    ["slot"],
)
ABTEST_STOPS = Counter(
    "secretaria_abtest_stops_total",
    "A/B tests stopped, by reason (manual, auto).",
    ["reason"],
)
