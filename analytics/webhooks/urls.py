"""Routes of this part, under /api/ on the company's host (analytics/urls.py includes them)."""

urlpatterns: list = []
