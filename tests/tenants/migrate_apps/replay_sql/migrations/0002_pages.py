from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("replay_sql", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="book",
            name="pages",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunSQL(
            "CREATE INDEX replay_sql_book_title_lower ON replay_sql_book (lower(title)) WHERE pages > 0",
            reverse_sql="DROP INDEX replay_sql_book_title_lower",
        ),
    ]
