"""Retention: the company's policy counted in a dry run (shown in the admin), then applied and audited."""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import schema_context

from compliance.lgpd.models import DataRequest, RetentionPolicy
from compliance.lgpd.retention import retention_dry_run
from compliance.lgpd.selectors import retention_policy
from compliance.lgpd.tasks import retention_run_task
from compliance.models import AuditEvent
from conversations.models import Contact, LLMCall, Message
from tests.compliance.test_lgpd_erasure import _admin_browser
from tests.conversations.factories import ContactFactory, MessageFactory


def _aged(customer, days: int) -> None:
    """Everything of the customer `days` old."""
    past = timezone.now() - timedelta(days=days)
    Message.objects.filter(contact=customer.contact).update(created_at=past)
    Contact.objects.filter(pk=customer.contact.pk).update(last_message_at=past, created_at=past)
    LLMCall.objects.filter(conversation__contact=customer.contact).update(created_at=past)
    customer.contact.appointments.all().delete()  # no appointment since then either


def test_the_defaults_are_180_days_of_texts_two_years_of_contacts_and_30_days_of_llm_calls(in_acme):
    policy = retention_policy()
    assert (policy.message_text_days, policy.inactive_contact_days, policy.llm_call_days) == (180, 730, 30)


def test_a_dry_run_counts_and_the_nightly_run_applies_the_policy(customer):
    _aged(customer, days=200)
    recent = MessageFactory(contact=ContactFactory(), text="mensagem de hoje")
    before = Message.objects.count()

    counts = retention_dry_run()
    assert counts["message_texts"] >= 4 and counts["llm_calls"] == 1 and counts["inactive_contacts"] == 0
    assert Message.objects.filter(contact=customer.contact).exclude(text="").exists()  # nothing changed

    with TestCase.captureOnCommitCallbacks(execute=True):
        done = retention_run_task.run()

    assert done["message_texts"] == counts["message_texts"] and done["llm_calls"] == 1
    assert not Message.objects.filter(contact=customer.contact).exclude(text="").exists()
    assert Message.objects.get(pk=recent.pk).text == "mensagem de hoje" and Message.objects.count() == before
    assert LLMCall.objects.filter(conversation__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="lgpd.retention", actor="system").count() == 1
    assert retention_dry_run()["message_texts"] == 0


def test_contacts_idle_for_longer_than_the_policy_are_anonymised(customer):
    _aged(customer, days=800)

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert retention_run_task.run()["inactive_contacts"] == 1

    contact = Contact.objects.get(pk=customer.contact.pk)
    assert contact.erased_at is not None and contact.name == ""
    assert DataRequest.objects.filter(kind="erasure", channel="retention", status="done").count() == 1


def test_the_admin_shows_what_would_be_removed_now(customer, acme):
    _aged(customer, days=200)
    with schema_context("acme"):
        RetentionPolicy.objects.all().delete()
    response = _admin_browser(acme, "manager").get("/admin/compliance/retentionpolicy/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "seriam apagados agora" in page.lower() and "textos de mensagens: 4" in page
