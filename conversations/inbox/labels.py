"""The words staff read in the inbox for the codes the system stores (pt-BR)."""

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

# The queue's words for a conversation's state (the model's choices say "Com a equipe").
STATUS = {
    Conversation.Status.HANDOFF: "Aguardando a equipe",
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


def handoff_reason(reason: str) -> str:
    return HANDOFF_REASONS.get(reason, reason)
