"""`secretaria_abtest_exposures_total`, `secretaria_abtest_conversions_total` and
`secretaria_abtest_stops_total`, per company and slot (never per contact or per test: the results page
has those).

Counted once the write commits, so a render or an event retried after a rollback is not counted twice.
"""

from prometheus_client import Counter

ABTEST_EXPOSURES = Counter(
    "secretaria_abtest_exposures_total",
    "Contacts shown a wording of a running A/B test (first time only), by template slot.",
    ["company", "slot"],
)
ABTEST_CONVERSIONS = Counter(
    "secretaria_abtest_conversions_total",
    "Exposed contacts who then did what their A/B test is judged on, within its window, by template slot.",
    ["company", "slot"],
)
ABTEST_STOPS = Counter(
    "secretaria_abtest_stops_total",
    "A/B tests stopped, by reason (manual, auto).",
    ["company", "reason"],
)
