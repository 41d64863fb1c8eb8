"""A bare "sim" / "ok" is agreement, not a question the engine failed to understand."""

import pytest

from conversations.assistant.engine.context import EngineContext
from conversations.assistant.engine.local import compose

OFFERED_THE_TEAM = ("Desculpe, não encontrei essa informação por aqui. Posso ajudar com nossos serviços — ou, se "
                    "preferir, chamo alguém da equipe.")


@pytest.mark.parametrize("text", ["sim", "Ok!", "combinado 👍", "tá bom", "Perfeito."])
def test_an_acknowledgement_gets_a_short_confident_answer(text):
    draft = compose(EngineContext(company_name="Clínica", texts=[text]))

    assert draft.confidence >= 0.5
    assert not draft.handoff
    assert "Combinado" in draft.text


def test_yes_to_the_offer_of_a_person_hands_the_conversation_over():
    draft = compose(EngineContext(company_name="Clínica", texts=["sim"], history=[("assistant", OFFERED_THE_TEAM)]))

    assert draft.handoff
    assert draft.handoff_reason == "human_request"


def test_agreement_followed_by_a_request_is_the_request():
    draft = compose(EngineContext(company_name="Clínica", texts=["sim, quero marcar uma consulta"]))

    assert str(draft.intent) == "appointment_request"
