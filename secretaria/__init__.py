# Load the Celery app with Django, so that every `shared_task` (and `.delay()` from the
# web process) binds to it and its Redis broker, not to Celery's default app.
from celery_app import app as celery_app

__all__ = ("celery_app",)
