"""Alerts at 80 % and 100 %: exactly once per company, period, kind and threshold, even with workers racing."""
# ruff: noqa: F811 - the fixtures are shared from test_metering.py (tests/billing has no conftest of ours)

import threading

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from billing.metering import counters
from billing.metering.alerts import alert_text, alerts_check
from billing.metering.models import QuotaAlert, QuotaContact
from billing.metering.periods import period_of
from conversations.models import Message
from secretaria import events
from secretaria.events import bus
from tests.billing.test_metering import answer, live, metered, plan_set  # noqa: F401


def test_crossing_80_and_100_percent_mails_the_owner_once_each_with_the_event(metered):
    heard = []
    events.subscribe(events.QuotaThresholdCrossed, heard.append)
    try:
        plan_set(metered, monthly_messages=5, overage_policy="allow_overage")
        for n in range(7):
            answer(f"Mensagem {n}", f"m{n}", phone=f"55119000000{n:02d}")
    finally:
        bus.unsubscribe(events.QuotaThresholdCrossed, heard.append)

    assert sorted(QuotaAlert.objects.filter(company=metered).values_list("threshold", flat=True)) == [80, 100]
    assert [m.to for m in mail.outbox] == [["owner@acme.test"], ["owner@acme.test"]]
    assert "80 % das 5 mensagens respondidas do plano" in mail.outbox[0].body
    assert [(e.kind, e.threshold, e.limit) for e in heard] == [("messages", 80, 5), ("messages", 100, 5)]


def test_the_text_reads_in_ptbr_with_numbers_formatted(acme):
    alert = QuotaAlert(company=acme, period_start=period_of(), kind="messages", threshold=80, used=800, limit=1000)

    subject, body = alert_text(alert, "Acme")

    assert subject == "Acme: 80 % das 1.000 mensagens respondidas do plano já usadas"
    assert "já usou 800 de 1.000 mensagens respondidas" in body
    assert body.startswith("Olá! Em ") and " de 20" in body.split(",")[0]  # "Em dezembro de 2026", lower case
    assert body.split(",")[0][8:].islower()

    tokens = QuotaAlert(company=acme, period_start=period_of(), kind="ai_tokens", threshold=100, used=3422, limit=3000)
    assert alert_text(tokens, "Acme")[0] == "Acme: 100 % dos 3.000 tokens de IA do plano usados"


def _in_own_connection(fn):
    """Run `fn` in a thread of its own: its own database connection, committing as a worker does."""
    errors = []

    def run():
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    return thread, errors


def test_two_workers_crossing_80_percent_at_once_send_one_alert(acme, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    period = period_of().replace(year=2001)  # a period nobody else writes: the rows commit for real
    values = {counters.BUILT: "1", "messages": "8", "limit:messages": "10", "policy": "block_ai"}
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        with schema_context("acme"):
            alerts_check(schema="acme", period=period, values=values, deltas={"messages": 1})

    workers = [_in_own_connection(worker) for _ in range(2)]
    try:
        for thread, _ in workers:
            thread.start()
        for thread, _ in workers:
            thread.join()
        assert [e for _, errors in workers for e in errors] == []
        alerts = list(QuotaAlert.objects.filter(company=acme, period_start=period).values_list("threshold", "sent_at"))
        assert len(alerts) == 1 and alerts[0][0] == 80 and alerts[0][1] is not None
        assert len(mail.outbox) == 1
    finally:
        cleanup, _ = _in_own_connection(lambda: QuotaAlert.objects.filter(period_start=period).delete())
        cleanup.start()
        cleanup.join()


def test_the_company_admin_shows_the_alert_as_a_banner(metered):
    plan_set(metered, monthly_messages=2, overage_policy="block_ai")
    answer("Oi", "b1")
    answer("Oi de novo", "b2", phone="5511900000002")
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(get_user_model().objects.get(email="owner@acme.test"))

    page = client.get("/admin/").content.decode()

    assert "quota-banner" in page and "100 % das 2 mensagens respondidas do plano" in page


def test_another_companys_admin_shows_no_banner(metered, globex):
    plan_set(metered, monthly_messages=1, overage_policy="block_ai")
    answer("Oi", "g1")
    with schema_context("globex"):
        client = Client(HTTP_HOST="globex.localhost")
        client.force_login(get_user_model().objects.get(email="owner@globex.test"))
        page = client.get("/admin/").content.decode()

    assert "quota-banner" not in page


def test_the_owners_whatsapp_gets_the_alert_through_outreach_not_counted_as_usage(metered):
    QuotaContact.objects.create(company=metered, whatsapp="+55 (11) 98888-7777")
    plan_set(metered, monthly_messages=1, overage_policy="allow_overage")

    answer("Oi", "w1")

    [sent] = Message.objects.filter(contact__phone="5511988887777", direction="out")
    assert sent.payload["outreach"] == "quota_alert"  # one message: the 80 % line was crossed with the 100 %
    assert "100 % das 1 mensagens respondidas do plano" in sent.text
    assert live()["outreach"] == 0
