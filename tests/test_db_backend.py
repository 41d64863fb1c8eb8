"""secretaria/db_backend: a schema switch back to the same schema costs no SET search_path."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from conversations.models import Contact


def search_path_sets(queries) -> int:
    return sum(1 for query in queries if query["sql"].startswith("SET search_path"))


def test_returning_to_the_same_company_issues_no_second_set(acme):
    with schema_context("acme"):
        Contact.objects.count()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            with schema_context("acme"):
                Contact.objects.count()
    assert search_path_sets(queries.captured_queries) == 0


def test_switching_companies_still_reads_each_companys_own_rows(acme, globex):
    with schema_context("acme"):
        Contact.objects.create(phone="5511900000001")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            with schema_context("globex"):
                assert Contact.objects.filter(phone="5511900000001").count() == 0
            with schema_context("acme"):
                assert Contact.objects.filter(phone="5511900000001").count() == 1
    assert search_path_sets(queries.captured_queries) == 4  # one per real change


def test_a_rolled_back_set_is_issued_again(acme):
    with schema_context("acme"):
        Contact.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        with schema_context("globex"):
            Contact.objects.count()  # this SET is inside the savepoint rolled back below
        raise RuntimeError
    with CaptureQueriesContext(connection) as queries, schema_context("globex"):
        Contact.objects.count()
    assert search_path_sets(queries.captured_queries) == 1
