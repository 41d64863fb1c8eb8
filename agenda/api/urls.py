"""A company's host, under /api/: the agenda (paths start with "agenda/")."""

from agenda.api.rest import api_urlpatterns

urlpatterns = api_urlpatterns
