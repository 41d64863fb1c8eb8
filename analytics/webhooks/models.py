"""Models of this part (re-exported by analytics/models.py)."""

from django.db import models  # noqa: F401
