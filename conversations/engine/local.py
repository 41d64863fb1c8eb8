"""The offline engine: deterministic Portuguese answers from intents and the company's name.

It needs no account anywhere, so a new company (and the demo) answers from the
first message. Richer answers come from the knowledge base and the LLM providers.
"""

from dataclasses import dataclass

from conversations.engine.intents import Intent, detect_intent


@dataclass(frozen=True)
class Answer:
    text: str
    intent: Intent
    handoff: bool = False  # the conversation goes to the staff; the bot stays quiet


def _first_name(name: str) -> str:
    return f", {name.split()[0]}" if name.strip() else ""


def answer(*, text: str, company_name: str, contact_name: str = "") -> Answer:
    intent = detect_intent(text)
    who = _first_name(contact_name)
    replies = {
        Intent.GREETING: f"Olá{who}! Aqui é a assistente virtual da {company_name}. Como posso ajudar?",
        Intent.THANKS: "Por nada! Se precisar de mais alguma coisa, é só chamar.",
        Intent.GOODBYE: "Até logo! Quando precisar, estou por aqui.",
        Intent.HUMAN_REQUEST: "Claro! Já avisei a nossa equipe; uma pessoa vai continuar o atendimento por aqui.",
        Intent.COMPLAINT: ("Sinto muito pelo ocorrido. Vou passar sua mensagem para a nossa equipe, "
                           "que vai falar com você por aqui."),
        Intent.LGPD_REQUEST: ("Sobre os seus dados pessoais: posso enviar uma cópia ou apagá-los. "
                              "Um responsável da equipe vai confirmar o pedido com você por aqui."),
        Intent.APPOINTMENT_REQUEST: "Vamos marcar! Qual dia e horário ficam melhores para você?",
        Intent.APPOINTMENT_RESCHEDULE: "Tudo bem, vamos remarcar. Qual novo dia e horário você prefere?",
        Intent.APPOINTMENT_CANCEL: "Entendi que você quer cancelar. Vou confirmar com a equipe e te aviso por aqui.",
    }
    handoff = intent in (Intent.HUMAN_REQUEST, Intent.COMPLAINT, Intent.LGPD_REQUEST)
    fallback = (f"Recebi sua mensagem{who}. Posso ajudar com informações sobre a {company_name} "
                "e com agendamentos; se preferir, peça para falar com a equipe.")
    return Answer(text=replies.get(intent, fallback), intent=intent, handoff=handoff)
