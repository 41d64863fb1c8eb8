import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Shelf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=60, unique=True, verbose_name="nome")),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=120, verbose_name="título")),
                ("owner", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            to=settings.AUTH_USER_MODEL)),
                ("shelf", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="books",
                                            to="replay_sql.shelf")),
            ],
            options={
                "indexes": [models.Index(fields=["shelf", "title"], name="replay_sql_book_shelf_title")],
                "permissions": [("lend_book", "Pode emprestar livros")],
            },
        ),
    ]
