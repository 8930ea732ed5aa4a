"""The database itself refuses to delete what users wrote (PostgreSQL).

The model layer already refuses; this catches raw SQL and future code paths.
TRUNCATE (used to reset test databases) does not fire row triggers.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION mostrador_forbid_inbound_delete() RETURNS trigger AS $$
BEGIN
    -- Nested: PL/pgSQL does not promise to short-circuit AND, and only
    -- messages have a direction (replies and notes may go).
    IF TG_TABLE_NAME = 'inbox_message' THEN
        IF OLD.direction <> 'in' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'Mostrador never deletes what users wrote (% %)', TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER inbox_message_no_delete BEFORE DELETE ON inbox_message
    FOR EACH ROW EXECUTE FUNCTION mostrador_forbid_inbound_delete();
CREATE TRIGGER inbox_contact_no_delete BEFORE DELETE ON inbox_contact
    FOR EACH ROW EXECUTE FUNCTION mostrador_forbid_inbound_delete();
CREATE TRIGGER inbox_conversation_no_delete BEFORE DELETE ON inbox_conversation
    FOR EACH ROW EXECUTE FUNCTION mostrador_forbid_inbound_delete();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS inbox_message_no_delete ON inbox_message;
DROP TRIGGER IF EXISTS inbox_contact_no_delete ON inbox_contact;
DROP TRIGGER IF EXISTS inbox_conversation_no_delete ON inbox_conversation;
DROP FUNCTION IF EXISTS mostrador_forbid_inbound_delete();
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # A plain cursor: the SQL holds a literal % that must not be interpolated.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
