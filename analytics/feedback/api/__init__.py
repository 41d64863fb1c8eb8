"""/api/feedback: ingest from other systems, the NPS, and the integration keys."""
