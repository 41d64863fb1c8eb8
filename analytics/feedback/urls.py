"""Feedback ingestion and NPS under /api/ (filled by its issue step)."""

urlpatterns: list = []
