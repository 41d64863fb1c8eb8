"""The period's usage counters in Redis: one hash per company and month, changed only by Lua.

`secretaria:<schema>:usage:<YYYY-MM>` holds the quota kinds (messages, ai_tokens, outreach),
handoffs, the AI cost in pico-reais, the plan's limits (`limit:<kind>`, `policy`) and `_built`.

- `_built` says the hash was built from PostgreSQL facts. An increment that finds no `_built`
  (Redis was wiped, or the month just began) changes nothing and tells the caller, who counts the
  facts and builds the hash with them; a hash built meanwhile by another worker gets the caller's
  increment instead (BUILD does one or the other atomically). So a wipe never restarts a period at zero.
- Every script answers the whole hash: the caller decides quotas and alerts without reading again.
- Scripts go through EVAL inside the caller's pipeline: `Script` objects would make redis-py ask
  SCRIPT EXISTS first, one more round trip per reply.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from billing.metering.periods import period_label, period_of

TTL_SECONDS = 62 * 24 * 3600  # a month and the next: the API may still read last month's live figures
QUOTA_KINDS = ("messages", "ai_tokens", "outreach")
COUNTED = (*QUOTA_KINDS, "handoffs", "ai_cost")  # ai_cost: pico-reais of the AI tokens (prices.py)
BUILT = "_built"

# KEYS[1] hash; ARGV: ttl, field, delta, field, delta...
ADD = """
if redis.call('HEXISTS', KEYS[1], '_built') == 0 then return false end
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
return redis.call('HGETALL', KEYS[1])
"""
# KEYS[1] hash; ARGV: ttl, n, n (field, absolute value) pairs, then (field, delta) pairs.
BUILD = """
local n = tonumber(ARGV[2])
if redis.call('HEXISTS', KEYS[1], '_built') == 0 then
  for i = 3, 2 + 2 * n, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
  redis.call('HSET', KEYS[1], '_built', '1')
else
  for i = 3 + 2 * n, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])
"""


def usage_key(*, schema: str | None = None, period: date | None = None) -> str:
    return f"secretaria:{schema or connection.schema_name}:usage:{period_label(period or period_of())}"


def add_args(deltas: dict[str, int]) -> list:
    args: list = [TTL_SECONDS]
    for field, delta in deltas.items():
        args += [field, int(delta)]
    return args


def build_args(absolute: dict[str, int | str], deltas: dict[str, int]) -> list:
    args: list = [TTL_SECONDS, len(absolute)]
    for field, value in absolute.items():
        args += [field, value]
    for field, delta in deltas.items():
        args += [field, int(delta)]
    return args


def as_dict(flat) -> dict[str, str]:
    """HGETALL as a script returns it (a flat list) or as redis-py does (a dict), decoded."""
    if flat is None or flat is False:
        return {}
    if isinstance(flat, dict):
        items = flat.items()
    else:
        items = zip(flat[0::2], flat[1::2], strict=True)
    return {_text(k): _text(v) for k, v in items}


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def used_of(values: dict[str, str], kind: str) -> int:
    return int(values.get(kind) or 0)


def limit_of(values: dict[str, str], kind: str) -> int:
    return int(values.get(f"limit:{kind}") or 0)
