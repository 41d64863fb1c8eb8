"""Public-schema models of the platform view."""

from django.db import models  # noqa: F401
