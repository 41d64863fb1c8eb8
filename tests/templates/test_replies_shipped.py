"""The API over the slots the product ships (templates/replies/slots/*.toml), whatever they are today:
every one is listed, previews with sample data and takes its own default back through the API."""

from django_tenants.utils import schema_context

from templates.replies.catalogue import slots
from templates.replies.models import ReplyTemplate

SHIPPED = [(slot.name, variant) for slot in slots().values() for variant in ("", *slot.variants)]


def test_the_list_is_the_shipped_catalogue_untouched(acme, api):
    listed = api(acme, "viewer").get("/api/templates").json()

    assert [(e["slot"], e["variant"]) for e in listed] == SHIPPED
    assert [e for e in listed if e["customized"] or e["text"] != e["default_text"]] == []
    assert all(e["label"] and e["variables"] == list(slots()[e["slot"]].variables) for e in listed)


def test_every_shipped_slot_previews_and_takes_its_default_back(acme, api):
    client = api(acme, "owner")
    failures = {}

    for slot, variant in SHIPPED:
        default = slots()[slot].default(variant)
        preview = client.post(f"/api/templates/{slot}/preview", {"variant": variant}, format="json")
        saved = client.put(f"/api/templates/{slot}", {"text": default, "variant": variant}, format="json")
        if preview.status_code != 200 or not preview.json()["text"] or saved.status_code != 200:
            failures[(slot, variant)] = (preview.status_code, saved.status_code, saved.content[:200])

    assert failures == {}
    with schema_context("acme"):
        assert ReplyTemplate.objects.count() == len(SHIPPED)

