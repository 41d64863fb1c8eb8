# Filled by B1 (plans and subscription lifecycle). The three billing migrations form one chain so they never need a merge.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_seed_plans")]

    operations = []
