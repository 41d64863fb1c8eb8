from django.db import migrations


def first_note(apps, schema_editor):
    apps.get_model("replay_py", "Note").objects.create(text="escrita em Python")


class Migration(migrations.Migration):

    dependencies = [
        ("replay_py", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(first_note, migrations.RunPython.noop),
    ]
