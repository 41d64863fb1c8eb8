"""Writes of the conversation engine, one module per concern."""
