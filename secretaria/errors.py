"""Domain errors shared by the apps; the API layer maps them to HTTP statuses."""

from django.core.exceptions import PermissionDenied


class Conflict(Exception):
    """The request contradicts existing state (a duplicate, a taken slot): HTTP 409."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LimitReached(PermissionDenied):
    """The company's plan does not allow one more of something (a channel, a user...): HTTP 402.

    A PermissionDenied, so that outside the API (an admin page losing a race its form's check
    won) Django answers 403 with the message rather than an error page."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind
