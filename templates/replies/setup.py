from secretaria.texts import renderer_set


def setup() -> None:
    from templates.replies.render import slot_render

    renderer_set(slot_render)
