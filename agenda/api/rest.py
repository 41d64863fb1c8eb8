"""The agenda's REST API under /api/agenda/ (filled in by the REST work)."""

api_urlpatterns: list = []
