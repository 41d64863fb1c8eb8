"""A detractor's comment (score 0–6 with words) hands the customer's conversation to the staff, reason
"feedback negativo", the comment in the summary: once per feedback, whatever the retries. Passives,
promoters and a bare low score open nothing."""

from django_tenants.utils import schema_context

from analytics.feedback.models import Feedback
from analytics.feedback.services import feedback_handoff_open
from conversations.models import Conversation
from secretaria.events import FeedbackReceived, HandoffOpened
from tests.analytics.feedback.conftest import review
from tests.conversations.factories import ConversationFactory
from tests.security.events import heard

COMPLAINT = "Esperei 40 minutos além do horário."


def conversations_of(contact) -> list[Conversation]:
    with schema_context("acme"):
        return list(Conversation.objects.filter(contact=contact).order_by("id"))


def test_a_detractors_comment_hands_the_open_conversation_to_the_staff(acme, crm, paula,
                                                                       django_capture_on_commit_callbacks):
    with schema_context("acme"):
        open_chat = ConversationFactory(contact=paula, summary="Cliente perguntou sobre preços.")

    with heard(HandoffOpened) as handoffs, django_capture_on_commit_callbacks(execute=True):
        response = crm.ingest(**review(score=3, comment=COMPLAINT, timestamp="2026-03-02T18:30:00-03:00"))

    assert response.status_code == 201
    assert response.json()["handoff_conversation_id"] == open_chat.pk
    [chat] = conversations_of(paula)
    assert (chat.pk, chat.status, chat.handoff_reason) == (open_chat.pk, "handoff", "feedback negativo")
    assert chat.summary == (f"Avaliação negativa: nota 3 em google (02/03/2026 18:30). Comentário: {COMPLAINT}"
                            "\n\nCliente perguntou sobre preços.")
    assert [(e.conversation_id, e.reason, e.actor) for e in handoffs] == [(chat.pk, "feedback negativo", "")]


def test_a_customer_without_an_open_conversation_gets_one_waiting_for_the_staff(acme, crm, paula):
    response = crm.ingest(**review(score=0, comment="Péssimo."))

    [chat] = conversations_of(paula)
    assert chat.status == "handoff" and response.json()["handoff_conversation_id"] == chat.pk
    with schema_context("acme"):
        assert Feedback.objects.get().handoff_at == chat.handoff_at


def test_the_handoff_is_opened_once_per_feedback(acme, crm, paula, django_capture_on_commit_callbacks):
    body = review(score=2, comment=COMPLAINT)

    with heard(HandoffOpened) as handoffs, heard(FeedbackReceived) as received, \
            django_capture_on_commit_callbacks(execute=True):
        crm.ingest(**body)
        crm.ingest(**body)  # the sender retried
        with schema_context("acme"):
            again = feedback_handoff_open(feedback=Feedback.objects.get())  # or someone asked again

    assert again is None
    assert len(handoffs) == 1 and len(received) == 1
    assert len(conversations_of(paula)) == 1


def test_a_second_detractor_is_added_to_the_conversation_already_with_the_staff(acme, crm, paula):
    crm.ingest(**review(external_id="a", score=2, comment="Demorou."))
    crm.ingest(**review(external_id="b", score=1, comment="Ninguém me ligou."))

    [chat] = conversations_of(paula)
    assert chat.summary.startswith("Avaliação negativa: nota 1") and "Demorou." in chat.summary
    with schema_context("acme"):
        assert set(Feedback.objects.values_list("handoff_conversation_id", flat=True)) == {chat.pk}


def test_passives_promoters_and_a_bare_low_score_open_nothing(acme, crm, paula):
    for n, (score, comment) in enumerate([(7, "Ok."), (10, "Ótimo!"), (4, ""), (5, "   ")]):
        assert crm.ingest(**review(external_id=f"r-{n}", score=score, comment=comment)).status_code == 201

    assert conversations_of(paula) == []
    with schema_context("acme"):
        assert not Feedback.objects.filter(handoff_at__isnull=False).exists()
