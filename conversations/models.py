"""Every model of the conversations app, importable from one place (Django loads this module).

The models live with their sub-package: `channels/models.py`, `core/models.py` and
`assistant/models.py`.
"""

from conversations.assistant.models import CompanyProfile, KnowledgeItem, LLMCall, LLMConfig
from conversations.channels.models import Channel
from conversations.core.models import Contact, Conversation, DeadLetter, Message, Outbox

__all__ = [
    "Channel", "CompanyProfile", "Contact", "Conversation", "DeadLetter", "KnowledgeItem", "LLMCall", "LLMConfig",
    "Message", "Outbox",
]
