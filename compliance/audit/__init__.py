"""The company's audit trail: a keyed hash chain that cannot be quietly rewritten (docs/compliance.md)."""
