"""Reads of the assistant: language-model usage."""

from django.db.models import Count, Sum

from conversations.assistant.models import LLMCall


def llm_usage(*, since) -> dict:
    """Token sums and call counts by outcome since `since`, for quotas and the panel.

    {"input_tokens": int, "output_tokens": int, "calls": int, "by_outcome": {"ok": n, ...}}
    """
    rows = (LLMCall.objects.filter(created_at__gte=since).values("outcome")
            .annotate(calls=Count("id"), input_tokens=Sum("input_tokens"), output_tokens=Sum("output_tokens")))
    usage = {"input_tokens": 0, "output_tokens": 0, "calls": 0, "by_outcome": {}}
    for row in rows:
        usage["input_tokens"] += row["input_tokens"] or 0
        usage["output_tokens"] += row["output_tokens"] or 0
        usage["calls"] += row["calls"]
        usage["by_outcome"][row["outcome"]] = row["calls"]
    return usage
