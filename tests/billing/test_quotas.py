"""Quotas in real time: nothing lost, the LLM skipped under block_ai, replies paused with one notice a day."""
# ruff: noqa: F811 - the fixtures are shared from test_metering.py (tests/billing has no conftest of ours)

from django.contrib.auth import get_user_model

from billing.metering.quotas import ai_allowed, replies_paused
from billing.models import Subscription
from conversations.assistant.llm import llm_config_set
from conversations.core.handoff import staff_reply
from conversations.core.sessions import conversation_current
from conversations.models import Contact, Message, Outbox
from secretaria.settings_cache import settings_changed
from templates.replies.catalogue import slot_get
from tests.billing.test_metering import answer, delivered, live, llm_server, metered, plan_set  # noqa: F401

PHONE = "5511912345678"
QUOTA_NOTICE = slot_get("quota_notice").text  # the shipped wording (the company does not edit it)


def on_the_model(llm_server) -> None:
    llm_config_set(provider="openai", model="gpt-4o-mini", api_key="sk-teste",
                   base_url=f"http://127.0.0.1:{llm_server.server_port}/v1")


def notices(phone: str = PHONE) -> list[Message]:
    return list(Message.objects.filter(contact__phone=phone, direction="out", text=QUOTA_NOTICE))


def test_ai_tokens_used_up_under_block_ai_the_offline_engine_answers(metered, llm_server):
    plan_set(metered, monthly_llm_tokens=50, overage_policy="block_ai")
    on_the_model(llm_server)
    answer("Vocês abrem no sábado?", "q1")  # 50 tokens: the quota is used up
    assert not ai_allowed()

    second = answer("E no domingo?", "q2", phone="5511900000002")

    assert llm_server.calls == 1  # the model was not asked again
    assert Message.objects.get(pk=second.pk).state == "answered"
    assert Message.objects.filter(contact=second.contact, direction="out").exclude(text="").exists()
    assert live()["messages"] == 2


def test_under_allow_overage_the_model_keeps_answering(metered, llm_server):
    plan_set(metered, monthly_llm_tokens=50, overage_policy="allow_overage")
    on_the_model(llm_server)
    answer("Vocês abrem no sábado?", "o1")
    answer("E no domingo?", "o2", phone="5511900000002")

    assert llm_server.calls == 2 and ai_allowed()


def test_answered_messages_used_up_pause_replies_with_one_notice_a_day_and_lose_nothing(metered):
    plan_set(metered, monthly_messages=1, overage_policy="block_ai")
    answer("Oi", "p1")
    assert replies_paused()

    waiting = [answer("Alguém aí?", "p2"), answer("Preciso remarcar", "p3")]

    assert [Message.objects.get(pk=m.pk).state for m in waiting] == ["skipped", "skipped"]
    assert len(notices()) == 1  # the second message of the day got no second notice
    assert Outbox.objects.filter(idempotency_key__startswith="quota-notice:").count() == 1
    assert live()["messages"] == 1  # a notice answers nothing


def test_each_waiting_contact_gets_its_own_notice(metered):
    plan_set(metered, monthly_messages=1, overage_policy="block_ai")
    answer("Oi", "c1")

    answer("Oi?", "c2")
    answer("Bom dia", "c3", phone="5511900000002")

    assert len(notices()) == 1 and len(notices("5511900000002")) == 1


def test_a_staff_reply_is_never_blocked_by_the_quota(metered):
    plan_set(metered, monthly_messages=1, overage_policy="block_ai")
    answer("Oi", "s1")
    answer("Alguém aí?", "s2")
    owner = get_user_model().objects.get(email="owner@acme.test")
    conversation = conversation_current(contact=Contact.objects.get(phone=PHONE))

    with delivered():
        outbox = staff_reply(conversation=conversation, author=owner, text="Oi, Maria! Já vou te ajudar.")

    assert outbox.message.text == "Oi, Maria! Já vou te ajudar."


def test_an_unlimited_plan_never_pauses(metered):
    plan_set(metered, monthly_messages=0, monthly_llm_tokens=0)
    answer("Oi", "u1")
    answer("Oi de novo", "u2")

    assert not replies_paused() and ai_allowed() and notices() == []


def test_a_suspended_subscription_pauses_automatic_replies_and_the_model(metered, llm_server):
    on_the_model(llm_server)
    Subscription.objects.filter(company=metered).update(status="suspended")
    settings_changed()

    waiting = answer("Oi, estão aí?", "x1")

    assert not ai_allowed() and replies_paused()
    assert Message.objects.get(pk=waiting.pk).state == "skipped" and len(notices()) == 1
    assert llm_server.calls == 0
