"""Erasure: no trace of the customer in any table or Redis key, the company's numbers unchanged, old
webhooks kept out by the tombstone, a new message from the same person a fresh contact."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda import reports
from agenda.models import Appointment, FollowUp, Reminder
from compliance.lgpd.models import DataRequest
from compliance.models import AuditEvent
from conversations.models import Contact, Message
from tests.compliance.conftest import redis_hits, say, schema_hits
from tests.conftest import host_of, member


def company_numbers() -> dict:
    today = reports.company_today()
    return {
        "attendance": reports.attendance_rate(date_from=today - timedelta(days=30), date_to=today + timedelta(days=3)),
        "followups": reports.followup_stats(),
        "tomorrow": reports.agenda_of_day(day=today + timedelta(days=1)).count(),
        "appointments": Appointment.objects.count(),
        "messages": Message.objects.count(),
        "contacts": Contact.objects.count(),
    }


def test_an_erased_customer_is_in_no_table_and_no_redis_key_while_the_reports_keep_their_numbers(
        customer, acme, api, django_capture_on_commit_callbacks):
    before = company_numbers()
    assert schema_hits(customer.needles) and redis_hits([customer.phone, customer.texts[0]])  # the search finds

    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme, "owner").post(
            "/api/compliance/erasures", {"phone": customer.phone, "reason": "pedido do titular por e-mail"},
            format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "done" and response.json()["result"]["messages"] >= 4
    with schema_context("acme"):
        assert schema_hits(customer.needles) == []
        assert company_numbers() == before
        erasure = DataRequest.objects.get(pk=response.json()["id"])
        assert (erasure.kind, erasure.channel, erasure.requested_by) == ("erasure", "api", "owner@acme.test")
        assert AuditEvent.objects.filter(action="lgpd.erasure", key=f"lgpd.erasure:{erasure.pk}").exists()
        assert not Reminder.objects.filter(appointment__contact=customer.contact, state="pending").exists()
        assert FollowUp.objects.get(appointment__contact=customer.contact).score == 9  # the number stays
    assert redis_hits(customer.needles) == []


def test_a_redelivered_old_webhook_is_refused_but_a_new_message_starts_a_fresh_contact(customer, acme, api):
    old = Message.objects.filter(contact=customer.contact, direction="in").earliest("id")
    old_id, old_time = old.provider_message_id, old.created_at
    api(acme, "manager").post("/api/compliance/erasures", {"phone": customer.phone, "reason": "pedido"},
                                 format="json")

    with schema_context("acme"):
        assert say("o mesmo webhook de novo", phone=customer.phone, name=customer.name, id=old_id) is None
        assert say("mensagem antiga", phone=customer.phone, name=customer.name, when=old_time) is None
        assert not Contact.objects.filter(phone=customer.phone).exists()

        fresh = say("oi", phone=customer.phone, name="Zu", when=timezone.now() + timedelta(seconds=1))

        assert fresh is not None and fresh.contact_id != customer.contact.pk
        contact = Contact.objects.get(pk=fresh.contact_id)
        assert (contact.phone, contact.name, contact.messages.count()) == (customer.phone, "Zu", 1)


def test_only_owners_and_managers_may_erase(customer, acme, api):
    for role in ("viewer", "operator"):
        response = api(acme, role).post("/api/compliance/erasures", {"phone": customer.phone, "reason": "x"},
                                           format="json")
        assert response.status_code == 403
    unknown = api(acme, "owner").post("/api/compliance/erasures", {"phone": "5511000000001", "reason": "x"},
                                         format="json")
    assert unknown.status_code == 400


def test_deleting_a_contact_in_the_admin_erases_it_instead_of_being_refused(customer, acme):
    browser = _admin_browser(acme, "owner")
    url = f"/admin/conversations/contact/{customer.contact.pk}/delete/"

    assert browser.get(url).status_code == 200
    response = browser.post(url, {"post": "yes"})

    assert response.status_code == 302
    with schema_context("acme"):
        contact = Contact.objects.get(pk=customer.contact.pk)
        assert contact.erased_at is not None and contact.phone.startswith("apagado-")
        assert DataRequest.objects.filter(kind="erasure", channel="admin", contact=contact, status="done").exists()
        assert schema_hits(customer.needles) == []


def test_deleting_an_appointment_in_the_admin_anonymises_it_and_keeps_the_counts(customer, acme):
    with schema_context("acme"):
        missed = Appointment.objects.get(contact=customer.contact, status="no_show")
        upcoming = Appointment.objects.get(contact=customer.contact, status="confirmed")
        total = Appointment.objects.count()
    browser = _admin_browser(acme, "owner")

    for appointment in (missed, upcoming):
        response = browser.post(f"/admin/agenda/appointment/{appointment.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302

    with schema_context("acme"):
        assert Appointment.objects.count() == total
        missed.refresh_from_db()
        upcoming.refresh_from_db()
        assert missed.contact_id != customer.contact.pk and missed.status == "no_show" and missed.notes == ""
        assert upcoming.status == "cancelled" and upcoming.contact.erased_at is not None
        assert not Appointment.objects.filter(notes__contains=customer.phone).exists()


def _admin_browser(company, role: str) -> Client:
    client = Client(HTTP_HOST=host_of(company))
    with schema_context("acme"):
        client.force_login(member(company, role))
    return client
