"""Outreach: messages the business starts (reminders, follow-ups, rebooking and waitlist offers,
later quota alerts and campaigns), each sent to one contact exactly once.

An automation only decides *what* and *when*: a row of a `ScheduledSend` model (its due time and
state) or a one-off with an idempotency key. This package leases due rows, sends through the
contact's channel (its conversation's number, else the one they last used, else the default;
outside Meta's 24-hour window the outbox sends the approved template mapped to the message's slot,
else carries the text in the channel's fallback template), records the
outbox row with the state in one transaction, and recovers what a killed worker left half done.
"""
