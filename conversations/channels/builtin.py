"""The channels every company can use, registered by ConversationsConfig.ready(): one line each."""

from conversations.channels.meta.spec import SPEC as META
from conversations.channels.sandbox.spec import SPEC as SANDBOX
from conversations.channels.whaticket.spec import SPEC as WHATICKET

BUILT_IN = (SANDBOX, WHATICKET, META)
