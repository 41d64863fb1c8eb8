"""The words staff read (the inbox, the admin) for the codes the conversations store, in pt-BR."""

from conversations.core.models import Conversation

# Why a conversation went to a person. The assistant stores a code (engine/context.py HANDOFF_REASONS);
# staff and other apps store a sentence, shown as written.
HANDOFF_REASONS = {
    "human_request": "Pediu para falar com uma pessoa",
    "low_confidence": "A assistente não soube responder duas vezes seguidas",
    "negative_sentiment": "Cliente insatisfeito(a)",
    "complaint": "Reclamação",
    "lgpd_request": "Pedido sobre dados pessoais (LGPD)",
}

# A conversation's state in the inbox (the assistant is "a assistente" there, as in the replies).
STATUS = {
    Conversation.Status.HANDOFF: "Com a equipe",
    Conversation.Status.BOT: "Com a assistente",
    Conversation.Status.CLOSED: "Encerrada",
}
STATUS_BADGE = {Conversation.Status.HANDOFF: "bad", Conversation.Status.BOT: "ok", Conversation.Status.CLOSED: ""}

# What a message that is not text was (channels/base.py MessageKind).
KINDS = {
    "image": "Imagem", "audio": "Áudio", "video": "Vídeo", "document": "Documento", "sticker": "Figurinha",
    "location": "Localização", "contacts": "Contato", "interactive": "Resposta a uma lista",
    "button": "Resposta a um botão", "reaction": "Reação", "order": "Pedido", "system": "Aviso do WhatsApp",
    "unsupported": "Mensagem que o WhatsApp não mostra",
}

# Messages the business started (conversations/outreach), by the automation that wrote them.
OUTREACH = {
    "reminder": "lembrete", "followup": "pós-atendimento", "rebook_offer": "nova data após falta",
    "waitlist_offer": "vaga da lista de espera", "waitlist_filled": "vaga preenchida", "quota_alert": "aviso do plano",
}

# What the customer wanted (conversations/turns.py Intent), as the conversation's open intents show it.
INTENTS = {
    "greeting": "Saudação", "question": "Dúvida", "appointment_request": "Agendar",
    "appointment_reschedule": "Remarcar", "appointment_cancel": "Cancelar", "appointment_confirm": "Confirmar",
    "waitlist": "Lista de espera", "feedback": "Avaliação", "human_request": "Falar com uma pessoa",
    "complaint": "Reclamação", "thanks": "Agradecimento", "goodbye": "Despedida",
    "lgpd_request": "Dados pessoais (LGPD)", "other": "Outro assunto",
}

# A sent message's last delivery status from the provider (channels/base.py DeliveryStatus).
DELIVERY = {
    "accepted": "aceita pelo WhatsApp", "sent": "enviada", "delivered": "entregue", "read": "lida",
    "played": "ouvida", "failed": "falhou", "deleted": "apagada",
}


def handoff_reason(reason: str) -> str:
    return HANDOFF_REASONS.get(reason, reason)


def intents(codes) -> str:
    return ", ".join(INTENTS.get(code, code) for code in codes or ())
