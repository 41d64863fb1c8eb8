"""The WSGI application: Django, with the providers' webhooks on a leaner middleware stack.

See settings.WEBHOOK_MIDDLEWARE for why. Everything else (admin, API, operations)
goes through the full settings.MIDDLEWARE as usual.
"""

import os

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.db import connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretaria.settings")


class WebhookHandler(WSGIHandler):
    """Django's WSGI handler built with settings.WEBHOOK_MIDDLEWARE instead of MIDDLEWARE."""

    def load_middleware(self, is_async=False):
        from django.conf import settings

        # Django reads the list from settings while building the chain, once, at start-up
        # (single-threaded, before any request): swap it for the duration of the build.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.WEBHOOK_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def get_response(self, request):
        # CONN_HEALTH_CHECKS would spend a `SELECT 1` round trip before each webhook's one
        # statement; that statement reconnects by itself when it finds the connection dead
        # (conversations/core/ingest.py), and any other failure is a 5xx the provider retries.
        connection.health_check_done = True
        return super().get_response(request)


class WebhookRouter:
    """Sends /webhook/... to the lean handler and every other path to the full one."""

    def __init__(self):
        from django.conf import settings

        self.full = get_wsgi_application()  # also sets Django up
        self.webhooks = WebhookHandler()
        self.prefix = settings.WEBHOOK_PATH_PREFIX

    def __call__(self, environ, start_response):
        lean = environ.get("PATH_INFO", "").startswith(self.prefix)
        return (self.webhooks if lean else self.full)(environ, start_response)


application = WebhookRouter()
