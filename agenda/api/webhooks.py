"""Cal.com's signed webhooks (filled in by the Cal.com work)."""

webhook_urlpatterns: list = []
