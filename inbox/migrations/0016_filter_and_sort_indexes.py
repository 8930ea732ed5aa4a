"""Indexes for the inbox's filters and sort orders (PostgreSQL).

- oldest waiting first (the default order), per tab: active, per status, any;
- newest first within the active tab;
- tags: a GIN index (``jsonb_path_ops``) for ``tags @> '["tag"]'``;
- the late work (at risk, overdue) of open conversations, the supervision page's
  and the ``?sla_state=`` filter's question.
"""

from django.db import migrations

FORWARD = r"""
CREATE INDEX IF NOT EXISTS conversation_active_oldest_idx ON inbox_conversation
    (waiting_since ASC NULLS LAST, last_inbound_at DESC NULLS LAST, id DESC)
    WHERE status IN ('new', 'open', 'waiting');
CREATE INDEX IF NOT EXISTS conversation_status_oldest_idx ON inbox_conversation
    (status, waiting_since ASC NULLS LAST, last_inbound_at DESC NULLS LAST, id DESC);
CREATE INDEX IF NOT EXISTS conversation_any_oldest_idx ON inbox_conversation
    (waiting_since ASC NULLS LAST, last_inbound_at DESC NULLS LAST, id DESC);
CREATE INDEX IF NOT EXISTS conversation_active_newest_idx ON inbox_conversation
    (last_inbound_at DESC NULLS LAST, id DESC)
    WHERE status IN ('new', 'open', 'waiting');
CREATE INDEX IF NOT EXISTS conversation_tags_idx ON inbox_conversation USING gin (tags jsonb_path_ops);
CREATE INDEX IF NOT EXISTS conversation_late_idx ON inbox_conversation (sla_state, assignee_id, channel_id)
    WHERE status IN ('new', 'open', 'waiting') AND sla_state IN ('at_risk', 'breached');
"""

BACKWARD = r"""
DROP INDEX IF EXISTS conversation_late_idx;
DROP INDEX IF EXISTS conversation_tags_idx;
DROP INDEX IF EXISTS conversation_active_newest_idx;
DROP INDEX IF EXISTS conversation_any_oldest_idx;
DROP INDEX IF EXISTS conversation_status_oldest_idx;
DROP INDEX IF EXISTS conversation_active_oldest_idx;
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0015_conversation_assignment_held")]
    operations = [migrations.RunPython(forward, backward)]
