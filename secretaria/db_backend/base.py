"""django-tenants' backend, without re-issuing a `SET search_path` the session already has.

django-tenants forgets the session's search path whenever the current schema is set,
even to the schema it already had, so every switch to a company and back (the web
resolving the host of each request, a reply thread entering the company of each
reply) cost one more round trip to PostgreSQL before the first real query: about a
tenth of a webhook's database work. This wrapper remembers the search path the
session was last given and skips the SET when the next one is identical.

A SET inside a transaction is undone by ROLLBACK (and ROLLBACK TO SAVEPOINT), and a
new session starts with the default: the memory is dropped in each of those cases,
as django-tenants drops its own.
"""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import get_limit_set_calls


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self._session_search_paths = None  # what the live session was last SET to
        super().__init__(*args, **kwargs)

    def _handle_search_path(self, cursor=None):
        if (self.search_path_set_schemas is None and self._session_search_paths is not None
                and not self._setting_search_path and get_limit_set_calls()
                and self._session_search_paths == self._get_cursor_search_paths()):
            self.search_path_set_schemas = self._session_search_paths
            return
        super()._handle_search_path(cursor)
        if self.search_path_set_schemas is not None:
            self._session_search_paths = self.search_path_set_schemas

    def close(self):
        self._session_search_paths = None
        super().close()

    def connect(self):
        self._session_search_paths = None
        super().connect()

    def rollback(self):
        self._session_search_paths = None
        super().rollback()

    def savepoint_rollback(self, sid):
        self._session_search_paths = None
        super().savepoint_rollback(sid)
