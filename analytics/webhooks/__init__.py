"""Outgoing webhooks signed to the Standard Webhooks spec, with retries and a delivery log (issue 11, point 5)."""
