# Placeholder for the keyed audit chain (issue 16); the audit work fills in its operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = []
