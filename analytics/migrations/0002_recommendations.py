"""analytics.recommendations: its tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_reports")]
    operations = []
