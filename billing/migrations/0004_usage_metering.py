# Filled by B2 (usage metering, quotas, alerts). The three billing migrations form one chain so they never need a merge.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_plans_lifecycle")]

    operations = []
