"""The inbox (conversations/inbox): what staff have seen of each conversation, and the indexes its polls use."""

from django.db import migrations, models

# Conversations that existed before the inbox start read, except those waiting for a person: a company
# upgrading should not find its whole history unread, nor miss who is waiting.
MARK_SEEN = """
    UPDATE conversations_conversation c
    SET staff_seen_message_id = COALESCE((SELECT max(m.id) FROM conversations_message m
                                          WHERE m.conversation_id = c.id), 0)
    WHERE c.status <> 'handoff'
"""


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0010_companyprofile_closed_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="staff_seen_message_id",
            field=models.BigIntegerField(default=0, verbose_name="última mensagem vista pela equipe"),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(condition=models.Q(("status", "handoff")), fields=["handoff_at"],
                               name="conv_waiting_handoff_at"),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(condition=models.Q(("closed_at__isnull", False)), fields=["closed_at"],
                               name="conv_closed_at"),
        ),
        migrations.RunSQL(MARK_SEEN, migrations.RunSQL.noop),
    ]
