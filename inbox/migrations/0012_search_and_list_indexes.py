"""Search and lists that do not grow with history (PostgreSQL).

Search: each conversation carries ``search_document``, a ``tsvector`` of its
contact's name, handle and e-mail, its subject and the text of every message,
with a GIN index. The column is the database's own business: the ORM never
reads or writes it (so no ``save()`` can overwrite it with a stale copy), and
triggers keep it current whoever writes — the ingest, replies, notes, the
handover, raw SQL:

- a new conversation starts with its contact and subject (row trigger, before insert);
- inserted messages are appended, one UPDATE per statement over the rows it
  inserted (a statement trigger with a transition table: set-based, like the ingest);
- a changed subject or contact, or an edited message body, recomputes or appends;
- a contact's changed name, handle or e-mail recomputes its conversations.

Text is folded with ``unaccent`` and indexed with the ``simple`` configuration:
no stemming and no stop words, because the inbox is searched for names,
handles, order numbers and words in two languages at once (a Spanish stemmer
would mangle English and the reverse); prefix matching (``pedid:*``) stands in
for stemming. ``unaccent`` is only STABLE, so an IMMUTABLE wrapper names its
dictionary explicitly (the usual way to use it in an index expression).

Lists: the inbox's sort (nearest deadline, oldest unanswered, newest activity,
id) has an index per tab — a partial one over open work for the default tab,
one led by status for each status tab, one for ``status=any`` — and the search
results (newest first) have theirs. On SQLite none of this exists: search
falls back to LIKE and the tables are small.
"""

from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE OR REPLACE FUNCTION mostrador_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE OR REPLACE FUNCTION mostrador_search_text(text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('simple'::regconfig, mostrador_unaccent(coalesce($1, ''))) $$;

-- What a conversation's document starts with: its contact and subject.
CREATE OR REPLACE FUNCTION mostrador_search_head(contact bigint, subject text) RETURNS tsvector
    LANGUAGE sql STABLE
    AS $$
        SELECT mostrador_search_text(concat_ws(' ', c.display_name, c.handle, c.email, subject))
          FROM inbox_contact c WHERE c.id = contact
    $$;

-- The whole document, recomputed (rare: a changed subject, contact or contact name).
CREATE OR REPLACE FUNCTION mostrador_search_document(conversation bigint, contact bigint, subject text)
    RETURNS tsvector LANGUAGE sql STABLE
    AS $$
        SELECT coalesce(mostrador_search_head(contact, subject), ''::tsvector)
            || coalesce((SELECT mostrador_search_text(string_agg(m.body, ' ' ORDER BY m.id))
                           FROM inbox_message m
                          WHERE m.conversation_id = conversation AND m.removed_at IS NULL), ''::tsvector)
    $$;

ALTER TABLE inbox_conversation ADD COLUMN search_document tsvector;

CREATE OR REPLACE FUNCTION mostrador_conversation_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.search_document := mostrador_search_head(NEW.contact_id, NEW.subject);
    ELSE
        NEW.search_document := mostrador_search_document(NEW.id, NEW.contact_id, NEW.subject);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER inbox_conversation_searchable_insert BEFORE INSERT ON inbox_conversation
    FOR EACH ROW EXECUTE FUNCTION mostrador_conversation_searchable();
CREATE TRIGGER inbox_conversation_searchable_update BEFORE UPDATE ON inbox_conversation
    FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)
    EXECUTE FUNCTION mostrador_conversation_searchable();

CREATE OR REPLACE FUNCTION mostrador_messages_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_conversation c
       SET search_document = coalesce(c.search_document, ''::tsvector) || added.document
      FROM (SELECT conversation_id, mostrador_search_text(string_agg(body, ' ' ORDER BY id)) AS document
              FROM new_messages WHERE removed_at IS NULL GROUP BY conversation_id) added
     WHERE c.id = added.conversation_id;
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_message_searchable_insert AFTER INSERT ON inbox_message
    REFERENCING NEW TABLE AS new_messages
    FOR EACH STATEMENT EXECUTE FUNCTION mostrador_messages_searchable();

CREATE OR REPLACE FUNCTION mostrador_message_edited_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The earlier text stays findable too: nothing users wrote is forgotten.
    UPDATE inbox_conversation SET search_document = coalesce(search_document, ''::tsvector)
        || mostrador_search_text(NEW.body)
     WHERE id = NEW.conversation_id;
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_message_searchable_update AFTER UPDATE OF body ON inbox_message
    FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION mostrador_message_edited_searchable();

-- Text its author removed on the network is kept for the record, never searched.
CREATE OR REPLACE FUNCTION mostrador_message_removed_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_conversation
       SET search_document = mostrador_search_document(id, contact_id, subject)
     WHERE id = NEW.conversation_id;
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_message_removed_searchable AFTER UPDATE OF removed_at ON inbox_message
    FOR EACH ROW WHEN (OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL)
    EXECUTE FUNCTION mostrador_message_removed_searchable();

CREATE OR REPLACE FUNCTION mostrador_contact_searchable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_conversation
       SET search_document = mostrador_search_document(id, contact_id, subject)
     WHERE contact_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER inbox_contact_searchable_update AFTER UPDATE ON inbox_contact
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name
                       OR OLD.handle IS DISTINCT FROM NEW.handle OR OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION mostrador_contact_searchable();

-- Conversations already there.
UPDATE inbox_conversation SET search_document = mostrador_search_document(id, contact_id, subject);

CREATE INDEX conversation_search_idx ON inbox_conversation USING gin (search_document);

-- The inbox's order, per tab.
CREATE INDEX conversation_active_order_idx ON inbox_conversation
    (sla_due_at ASC NULLS LAST, waiting_since ASC NULLS LAST, last_inbound_at DESC NULLS LAST, id DESC)
    WHERE status IN ('new', 'open', 'waiting');
CREATE INDEX conversation_status_order_idx ON inbox_conversation
    (status, sla_due_at ASC NULLS LAST, waiting_since ASC NULLS LAST, last_inbound_at DESC NULLS LAST, id DESC);
CREATE INDEX conversation_any_order_idx ON inbox_conversation
    (sla_due_at ASC NULLS LAST, waiting_since ASC NULLS LAST, last_inbound_at DESC NULLS LAST, id DESC);
-- Search results, newest first.
CREATE INDEX conversation_newest_idx ON inbox_conversation (last_inbound_at DESC NULLS LAST, id DESC);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS conversation_newest_idx;
DROP INDEX IF EXISTS conversation_any_order_idx;
DROP INDEX IF EXISTS conversation_status_order_idx;
DROP INDEX IF EXISTS conversation_active_order_idx;
DROP TRIGGER IF EXISTS inbox_contact_searchable_update ON inbox_contact;
DROP TRIGGER IF EXISTS inbox_message_removed_searchable ON inbox_message;
DROP FUNCTION IF EXISTS mostrador_message_removed_searchable();
DROP TRIGGER IF EXISTS inbox_message_searchable_update ON inbox_message;
DROP TRIGGER IF EXISTS inbox_message_searchable_insert ON inbox_message;
DROP TRIGGER IF EXISTS inbox_conversation_searchable_update ON inbox_conversation;
DROP TRIGGER IF EXISTS inbox_conversation_searchable_insert ON inbox_conversation;
DROP FUNCTION IF EXISTS mostrador_contact_searchable();
DROP FUNCTION IF EXISTS mostrador_message_edited_searchable();
DROP FUNCTION IF EXISTS mostrador_messages_searchable();
DROP FUNCTION IF EXISTS mostrador_conversation_searchable();
ALTER TABLE inbox_conversation DROP COLUMN IF EXISTS search_document;
DROP FUNCTION IF EXISTS mostrador_search_document(bigint, bigint, text);
DROP FUNCTION IF EXISTS mostrador_search_head(bigint, text);
DROP FUNCTION IF EXISTS mostrador_search_text(text);
DROP FUNCTION IF EXISTS mostrador_unaccent(text);
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
    dependencies = [("inbox", "0011_outbound_network_status")]
    operations = [migrations.RunPython(forward, backward)]
