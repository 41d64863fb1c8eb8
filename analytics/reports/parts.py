"""A period's parts and the figures derived from them.

A day's `parts` are what its figures are made of: sums, the ids of the contacts who wrote, the
reply times. Parts combine by rule (sums add up, contact ids unite, times concatenate, a quota's
month-to-date share keeps the latest day's), so a week or a month is its days combined and its
figures are exact: a median over the month's reply times, not a median of daily medians.
"""

from __future__ import annotations

import math

from billing.metering.prices import PICO_PER_CENT

SUMS = (
    "messages_in", "messages_out", "conversations_opened", "contacts_new", "handoffs",
    "bookings_chat", "bookings_panel", "bookings_api", "bookings_calcom", "bookings_waitlist", "reschedules",
    "cancellations", "attendances", "no_shows", "score_sum", "score_count", "promoters", "detractors",
    "ai_tokens", "ai_cost_pico", "booking_intents", "slots_offered", "reminders_sent", "reminders_answered",
    "reminders_confirmed",
)
UNIONS = ("contacts",)
LISTS = ("first_reply_s", "staff_response_s")
LATEST = ("quota_messages_ratio", "quota_ai_tokens_ratio", "quota_outreach_ratio")
BOOKING_SOURCES = ("bookings_chat", "bookings_panel", "bookings_api", "bookings_calcom", "bookings_waitlist")


def empty_parts() -> dict:
    return {**dict.fromkeys(SUMS, 0), **{k: [] for k in UNIONS + LISTS}, **dict.fromkeys(LATEST)}


def parts_combine(days: list[dict]) -> dict:
    """The parts of consecutive periods (in date order) as one."""
    total = empty_parts()
    seen: dict[str, set] = {key: set() for key in UNIONS}
    for day in days:
        for key in SUMS:
            total[key] += day.get(key) or 0
        for key in UNIONS:
            seen[key].update(day.get(key) or ())
        for key in LISTS:
            total[key].extend(day.get(key) or ())
        for key in LATEST:
            if day.get(key) is not None:
                total[key] = day[key]
    for key in UNIONS:
        total[key] = sorted(seen[key])
    return total


def figures_from_parts(parts: dict) -> dict:
    """Every figure of figures.py from a period's parts; None where there is nothing to divide or time."""
    p = {**empty_parts(), **parts}
    bookings = sum(p[key] for key in BOOKING_SOURCES)
    unique = len(p["contacts"])
    known = p["attendances"] + p["no_shows"]
    return {
        "messages_in": p["messages_in"],
        "messages_out": p["messages_out"],
        "conversations_opened": p["conversations_opened"],
        "contacts_unique": unique,
        "contacts_new": p["contacts_new"],
        "contacts_returning": max(unique - p["contacts_new"], 0),
        "first_reply_p50_s": percentile(p["first_reply_s"], 0.5),
        "first_reply_p90_s": percentile(p["first_reply_s"], 0.9),
        "handoffs": p["handoffs"],
        "handoff_rate": ratio(p["handoffs"], p["conversations_opened"]),
        "staff_response_p50_s": percentile(p["staff_response_s"], 0.5),
        "bookings": bookings,
        **{key: p[key] for key in BOOKING_SOURCES},
        "reschedules": p["reschedules"],
        "cancellations": p["cancellations"],
        "attendances": p["attendances"],
        "no_shows": p["no_shows"],
        "no_show_rate": ratio(p["no_shows"], known),
        "followup_score_avg": round(p["score_sum"] / p["score_count"], 2) if p["score_count"] else None,
        "nps": round(100 * (p["promoters"] - p["detractors"]) / p["score_count"], 1) if p["score_count"] else None,
        "ai_tokens": p["ai_tokens"],
        "ai_cost_cents": round(p["ai_cost_pico"] / PICO_PER_CENT),
        "cost_per_booking_cents": round(p["ai_cost_pico"] / PICO_PER_CENT / bookings) if bookings else None,
        **{key: p[key] for key in LATEST},
        **{key: p[key] for key in ("booking_intents", "slots_offered", "reminders_sent", "reminders_answered",
                                   "reminders_confirmed")},
    }


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], q: float) -> float | None:
    """PostgreSQL's percentile_cont: linear between the two nearest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return round(value, 1)


def change(current, previous) -> float | None:
    """Relative change: 0.25 is +25 %; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return round((current - previous) / abs(previous), 4)
