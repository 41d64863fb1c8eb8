"""Domain errors shared by the apps; the API layer maps them to HTTP statuses."""


class Conflict(Exception):
    """The request contradicts existing state (a duplicate, a taken slot): HTTP 409."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
