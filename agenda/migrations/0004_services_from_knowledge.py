"""The knowledge base's services move into the agenda's catalogue: a price lives in one row.

Each `kind="service"` knowledge item becomes a Service, matched by name case-insensitively:
an existing service keeps its row and takes the item's price, duration, description (the
item's answer) and keywords where its own are empty; otherwise a new service is created with
them. The items are then deleted. An inactive item stays hidden: it creates an inactive
service (its text is kept) and fills nothing in an existing one.

It runs before conversations 0008 drops the items' price and duration, declared here
(`run_before`) so that the dependency points from the agenda to conversations, as the
layers do. Reversing it restores nothing: the services stay where they are.
"""

from django.db import migrations

SERVICE_NAME_LENGTH = 120  # agenda.Service.name
DEFAULT_DURATION = 30  # agenda.Service.duration_minutes' default, for items that had none


def services_from_knowledge(apps, schema_editor):
    KnowledgeItem = apps.get_model("conversations", "KnowledgeItem")
    Service = apps.get_model("agenda", "Service")
    items = KnowledgeItem.objects.filter(kind="service")
    for item in items.order_by("pk"):
        name = item.title.strip()[:SERVICE_NAME_LENGTH]
        service = Service.objects.filter(name__iexact=name).first()
        if service is None:
            Service.objects.create(
                name=name, description=item.answer.strip(), keywords=item.keywords,
                price_cents=item.price_cents, duration_minutes=item.duration_minutes or DEFAULT_DURATION,
                is_active=item.is_active)
        elif item.is_active:
            _fill_blanks(service, item)
    items.delete()


def _fill_blanks(service, item) -> None:
    """Give an existing service what the item knew and the service did not."""
    changed = []
    if service.price_cents is None and item.price_cents is not None:
        service.price_cents = item.price_cents
        changed.append("price_cents")
    if not service.duration_minutes and item.duration_minutes:
        service.duration_minutes = item.duration_minutes
        changed.append("duration_minutes")
    for field, value in (("description", item.answer.strip()), ("keywords", item.keywords.strip())):
        if value and not getattr(service, field).strip():
            setattr(service, field, value)
            changed.append(field)
    if changed:
        service.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0003_service_description"),
        ("conversations", "0007_channels_registry_cleanup"),
    ]
    run_before = [("conversations", "0008_knowledge_faqs_only")]

    operations = [migrations.RunPython(services_from_knowledge, migrations.RunPython.noop)]
