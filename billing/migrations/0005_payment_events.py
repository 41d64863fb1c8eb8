# Filled by B3 (payment provider events). The three billing migrations form one chain so they never need a merge.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_usage_metering")]

    operations = []
