"""Conversations: channels, contacts, messages (see issue 3)."""
