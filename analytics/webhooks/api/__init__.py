"""The webhooks' REST API: /api/webhooks..., and the documented schema of each event's body."""
