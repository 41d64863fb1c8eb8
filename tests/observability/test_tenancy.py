from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenants.models import Company


def test_unknown_host_gets_404_json_for_the_api(db):
    response = APIClient(HTTP_HOST="unknown.localhost").get("/api/me")
    assert response.status_code == 404
    assert response.json() == {"detail": "Domínio desconhecido."}


def test_a_suspended_company_gets_403_on_its_api(acme, api):
    Company.objects.filter(pk=acme.pk).update(status=Company.Status.SUSPENDED)
    response = api(acme, "owner").get("/api/me")
    assert response.status_code == 403
    assert response.json() == {"detail": "Empresa suspensa."}


def test_a_suspended_company_still_answers_healthz(acme, api):
    Company.objects.filter(pk=acme.pk).update(status=Company.Status.SUSPENDED)
    assert api(acme).get("/healthz").status_code == 200


def test_suspending_one_company_leaves_the_other_served(acme, globex, api):
    Company.objects.filter(pk=acme.pk).update(status=Company.Status.SUSPENDED)
    assert api(globex, "owner").get("/api/me").status_code == 200


def test_cache_entries_are_not_shared_between_companies(acme, globex, unique):
    key = f"greeting-{unique}"
    try:
        with schema_context(acme.schema_name):
            cache.set(key, "olá da acme", 60)
        with schema_context(globex.schema_name):
            assert cache.get(key) is None
        with schema_context(acme.schema_name):
            assert cache.get(key) == "olá da acme"
    finally:
        with schema_context(acme.schema_name):
            cache.delete(key)
