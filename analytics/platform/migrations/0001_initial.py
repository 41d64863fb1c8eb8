"""analytics.platform: its tables (public schema)."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("tenants", "0001_initial")]
    operations = []
