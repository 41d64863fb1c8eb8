"""Per-company gauges of the last nightly report, set by the report task after it computes a company:

- `secretaria_funnel_step_count{company,step}`: yesterday's funnel, conversations to attended;
- `secretaria_funnel_conversion_ratio{company,step}`: each step over yesterday's conversations;
- `secretaria_funnel_reminder_step_count{company,step}`: reminders sent, answered, confirmed;
- `secretaria_nps{company}` and `secretaria_followup_score_avg{company}`: the current ISO week so far
  (a day has too few answers to be read alone); not set while the week has none.

`mostrecent` in multiprocess mode: each worker that computes a company sets its value, the newest wins.
About 15 series a company: exported only when settings.METRICS_COMPANY_FIGURES is on (a deployment of a
few companies); at fleet scale the panel and the reports API carry these figures (docs/alerts.md).
"""

from django.conf import settings
from prometheus_client import Gauge

FUNNEL_STEP = Gauge("secretaria_funnel_step_count",
                    "Yesterday's funnel per company: conversations, booking intent, slots offered, booked, attended.",
                    ["company", "step"], multiprocess_mode="mostrecent")
FUNNEL_CONVERSION = Gauge("secretaria_funnel_conversion_ratio",
                          "Yesterday's funnel step over the conversations opened (0 when none).",
                          ["company", "step"], multiprocess_mode="mostrecent")
FUNNEL_REMINDERS = Gauge("secretaria_funnel_reminder_step_count",
                         "Yesterday's reminders per company: sent, answered, confirmed.",
                         ["company", "step"], multiprocess_mode="mostrecent")
NPS = Gauge("secretaria_nps", "Net promoter score of the current ISO week's follow-up answers (-100 to 100).",
            ["company"], multiprocess_mode="mostrecent")
FOLLOWUP_SCORE = Gauge("secretaria_followup_score_avg", "Average follow-up score (0-10) of the current ISO week.",
                       ["company"], multiprocess_mode="mostrecent")

# Gauge step -> the day's figure it reads (figures.py keys).
STEP_FIGURES = {"conversations": "conversations_opened", "booking_intent": "booking_intents",
                "slots_offered": "slots_offered", "booked": "bookings_chat", "attended": "attendances"}
REMINDER_FIGURES = {"sent": "reminders_sent", "answered": "reminders_answered", "confirmed": "reminders_confirmed"}


def report_gauges_export(*, schema: str, day: dict, week: dict) -> None:
    if not settings.METRICS_COMPANY_FIGURES:
        return
    opened = day.get("conversations_opened") or 0
    for step, key in STEP_FIGURES.items():
        count = day.get(key) or 0
        FUNNEL_STEP.labels(company=schema, step=step).set(count)
        FUNNEL_CONVERSION.labels(company=schema, step=step).set(count / opened if opened else 0.0)
    for step, key in REMINDER_FIGURES.items():
        FUNNEL_REMINDERS.labels(company=schema, step=step).set(day.get(key) or 0)
    if week.get("nps") is not None:
        NPS.labels(company=schema).set(week["nps"])
        FOLLOWUP_SCORE.labels(company=schema).set(week["followup_score_avg"])
