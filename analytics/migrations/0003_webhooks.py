"""analytics.webhooks: its tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_recommendations")]
    operations = []
