"""Usage metering, quotas and the 80 %/100 % alerts (issue 10).

Counters live in Redis for the hot path; `UsageDaily` in the public schema is the durable
roll-up recomputed from each company's own rows, so a Redis wipe never loses a period.
"""
