"""The application through a real PgBouncer (docs/fleet-nodes.md, "PgBouncer").

Session pooling is the mode that works with django-tenants: a client keeps one server connection
for its whole life, so the `SET search_path` django-tenants issues (and that secretaria/db_backend
remembers, to skip repeating it) holds until the client disconnects, and `DISCARD ALL` gives the
next client a clean session. Transaction pooling is shown unsafe: a search path set by one client
is what another client's queries run with.

Skipped, with how to install it, where the pgbouncer binary is absent.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from conversations.core.models import Message
from tests.conftest import wait_until
from tests.fleet.conftest import meta_text, new_phone, node_ready, node_start, pgbouncer_start, post_meta

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def session_bouncer(fleet_companies):
    # A small pool, and the nodes' connections closed after each request and task (DB_CONN_MAX_AGE=0):
    # server connections keep going from one client, and one company, to another, which is where a
    # leftover search path would show.
    bouncer = pgbouncer_start(pool_mode="session", pool_size=4)
    yield bouncer
    bouncer.stop()


@pytest.fixture(scope="module")
def node_c(session_bouncer, fake_providers, tmp_path_factory):
    """A third node (web and worker) whose every database connection goes through PgBouncer."""
    node = node_start("c", queue=f"fleet-{uuid.uuid4().hex[:8]}", providers=fake_providers,
                      root=tmp_path_factory.mktemp("bounced"),
                      DATABASE_URL=session_bouncer.url(connection.settings_dict["NAME"]))
    try:
        yield node_ready(node)
    finally:
        node.stop()


def test_a_node_through_session_pooling_answers_each_company_as_itself(db, node_c, session_bouncer,
                                                                       fake_providers):
    phones = {slug: [new_phone() for _ in range(4)] for slug in ("norte", "sul")}
    deliveries = [meta_text(slug, phone, "Oi, bom dia!") for slug in ("norte", "sul") for phone in phones[slug]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda body: post_meta(node_c.url, body), deliveries))

    assert statuses == [200] * len(deliveries), session_bouncer.log()[-2000:]
    every_phone = phones["norte"] + phones["sul"]
    wait_until(lambda: all(fake_providers.sends_to(p) for p in every_phone), 45, "replies through pgbouncer")
    time.sleep(3)  # longer than the debounce: a duplicate would have arrived by now
    for slug, numbers in phones.items():
        for phone in numbers:
            [sent] = fake_providers.sends_to(phone)
            assert slug.title() in sent["body"]["text"]["body"]  # the greeting names the right company
        with schema_context(slug):
            assert Message.objects.filter(contact__phone__in=numbers, direction="in", state="answered").count() == 4
    [stats] = [row for row in session_bouncer.show("STATS") if row["database"] == connection.settings_dict["NAME"]]
    assert int(stats["total_xact_count"]) > 0  # the node's queries did go through the bouncer


def test_transaction_pooling_hands_one_clients_search_path_to_another(db, fleet_companies):
    """Why not transaction pooling: django-tenants sets the search path with a plain `SET` in its own
    statement, which stays on the server connection for whichever client runs there next."""
    bouncer = pgbouncer_start(pool_mode="transaction", pool_size=1)
    try:
        url = bouncer.url(connection.settings_dict["NAME"])
        with psycopg.connect(url, autocommit=True) as norte, psycopg.connect(url, autocommit=True) as other:
            norte.execute("SET search_path TO norte, public")
            [(search_path,)] = other.execute("SHOW search_path").fetchall()
    finally:
        bouncer.stop()

    assert search_path == "norte, public"
