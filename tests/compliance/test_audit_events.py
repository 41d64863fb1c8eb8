"""Every settings change, role change, login failure burst and staff reply is an audit entry;
the daily task verifies the trail, records its verdict and feeds the alert's metrics."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from accounts.services import user_create, user_deactivate, user_update
from compliance.models import AuditEvent
from compliance.selectors import audit_chain_verify
from compliance.services import audit_event_record
from compliance.tasks import audit_chain_verify_task
from conversations.core.handoff import staff_reply
from secretaria.events import LoginFailuresBurst, SettingsChanged, StaffReplied, publish
from tenants.models import AuditHead
from tests.compliance.test_audit_chain import bypassing_the_trigger
from tests.conftest import member
from tests.conversations.factories import ConversationFactory
from tests.factories import PASSWORD


def newest(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


@pytest.fixture
def in_acme(acme):
    with schema_context("acme"):
        yield acme


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """`with delivered():` the events published inside reach their subscribers on leaving it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_settings_change_is_an_entry(in_acme, delivered):
    with delivered():
        publish(SettingsChanged(area="calendar", action="agenda.calendar_configured", actor="owner@acme.test",
                                target="calendar", data={"provider": "local"}))

    event = newest("agenda.calendar_configured")
    assert (event.actor, event.data) == ("owner@acme.test", {"provider": "local"})


def test_creating_a_member_and_changing_their_role_are_entries(in_acme, delivered, unique):
    owner = member(in_acme, "owner")
    with delivered():
        user = user_create(email=f"nova-{unique}@acme.test", password=PASSWORD, role="viewer", actor=owner)
    with delivered():
        user_update(user=user, actor=owner, role="manager")

    created, changed = AuditEvent.objects.filter(action="user.role_changed", target=f"user:{user.pk}").order_by("seq")
    assert (created.data["old_role"], created.data["new_role"]) == ("", "viewer")
    assert (changed.actor, changed.data["old_role"], changed.data["new_role"]) == ("owner@acme.test", "viewer",
                                                                                   "manager")


def test_deactivating_a_member_is_an_entry_and_a_name_change_is_not(in_acme, delivered, unique):
    owner = member(in_acme, "owner")
    with delivered():
        user = user_create(email=f"sai-{unique}@acme.test", password=PASSWORD, role="operator", actor=owner)
    before = AuditEvent.objects.count()
    with delivered():
        user_update(user=user, actor=owner, full_name="Outro Nome")
    assert AuditEvent.objects.count() == before

    with delivered():
        user_deactivate(user=user, actor=owner)

    event = newest("user.deactivated")
    assert event.target == f"user:{user.pk}" and event.data["active"] is False


def test_a_login_failure_burst_is_an_entry(in_acme, delivered):
    with delivered():
        publish(LoginFailuresBurst(username="owner@acme.test", ip="203.0.113.9", failures=5, surface="api"))

    event = newest("security.login_failures")
    assert event.target == "owner@acme.test"
    assert event.data == {"ip": "203.0.113.9", "failures": 5, "surface": "api"}


def test_a_staff_reply_is_an_entry_without_the_message_text(in_acme, delivered):
    conversation = ConversationFactory()

    with delivered():
        outbox = staff_reply(conversation=conversation, author=member(in_acme, "operator"), text="Olá, tudo certo?")

    event = newest("conversation.staff_replied")
    assert event.actor == "operator@acme.test" and event.target == str(conversation.pk)
    assert event.data == {"contact_id": conversation.contact_id, "message_id": outbox.message_id}
    assert "Olá" not in str(event.data)


def test_a_redelivered_staff_reply_event_is_recorded_once(in_acme, delivered):
    event = StaffReplied(conversation_id=1, contact_id=2, message_id=987654, actor="operator@acme.test")
    with delivered():
        publish(event)
    with delivered():
        publish(event)

    assert AuditEvent.objects.filter(key="conversation.staff_replied:987654").count() == 1


def test_other_apps_record_exports_and_erasures_through_the_same_service(in_acme):
    exported = audit_event_record(action="lgpd.export", actor="owner@acme.test", target="contact:1")
    erased = audit_event_record(action="lgpd.erasure", actor="owner@acme.test", target="contact:1",
                                data={"reason": "pedido do titular"}, key="lgpd.erasure:1")

    assert erased.seq == exported.seq + 1 and erased.prev_hash == exported.hash
    assert audit_chain_verify().ok


# --- the daily task -----------------------------------------------------------------------------


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_daily_task_records_a_good_verdict(acme):
    with schema_context("acme"):
        verdict = audit_chain_verify_task()
        assert verdict["ok"] is True
        assert newest("audit.chain_verified").data["checked"] == verdict["checked"]
        assert AuditHead.objects.get(company=acme).verified_ok is True
        assert audit_chain_verify().ok


def test_the_daily_task_records_a_broken_trail_and_feeds_the_alert(acme):
    with schema_context("acme"):
        event = audit_event_record(action="test.to-break")
        with bypassing_the_trigger():
            AuditEvent.objects.filter(seq=event.seq).update(target="editado")
        failures = sample("secretaria_audit_verification_failures_total", company="acme")

        verdict = audit_chain_verify_task()

        assert verdict["ok"] is False and verdict["first_bad_seq"] == event.seq
        broken = newest("audit.chain_broken")
        assert broken.data["first_bad_seq"] == event.seq and "alterada" in broken.data["reason"]
        assert AuditHead.objects.get(company=acme).verified_ok is False
    assert sample("secretaria_audit_verification_failures_total", company="acme") == failures + 1
    assert sample("secretaria_audit_chains_failing") >= 1
    assert connection.schema_name == "public"
