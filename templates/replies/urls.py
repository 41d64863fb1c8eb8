"""This part's routes under /api/ (filled by its issue step)."""

urlpatterns: list = []
