"""The conversation core: ingest, the reply pipeline, sessions, handoff, the outbox and dead letters."""
