from secretaria.texts import renderer_set


def setup() -> None:
    from auditlog.registry import auditlog

    from templates.replies.models import ReplyTemplate
    from templates.replies.render import slot_render

    renderer_set(slot_render)
    # Field-level history of the company's wording (the compliance pages list it with the other settings).
    if not auditlog.contains(ReplyTemplate):
        auditlog.register(ReplyTemplate, exclude_fields=["updated_at"])
