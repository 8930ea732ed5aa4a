"""Saving many rows' fields fast."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone


def rows_update(model: type[Model], objects: Iterable[Model], fields: list[str], *, touch: bool = True) -> int:
    """Save ``fields`` of ``objects``: on PostgreSQL one ``UPDATE … FROM (VALUES …)``,
    elsewhere one parametrized UPDATE per row, sent as one batch.

    ``bulk_update`` builds a CASE expression per row and field, which costs more
    in Python than a whole ingest batch; this costs a round trip per row at
    most. ``touch`` also sets ``updated_at``. Foreign keys are given by field
    name (``category``) and saved from their ``_id`` attribute.
    """
    objects = list(objects)
    if not objects:
        return 0
    meta = model._meta
    columns: list[Field] = [meta.get_field(name) for name in fields]  # type: ignore[misc]
    if touch:
        now = timezone.now()
        for obj in objects:
            obj.updated_at = now  # type: ignore[attr-defined]
        columns.append(meta.get_field("updated_at"))  # type: ignore[arg-type]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    sql = f"UPDATE {quote(str(meta.db_table))} SET {assignments} WHERE id = %s"  # noqa: S608 - names from _meta
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for all the rows: a round trip (and a plan) per row cost more than the rows.
            casts = [str(field.cast_db_type(connection)) for field in columns] + ["bigint"]
            row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            names = [quote(str(field.column)) for field in columns]
            values = ", ".join(f'{name} = "v".{name}' for name in names)
            for start in range(0, len(rows), 500):
                chunk = rows[start : start + 500]
                cursor.execute(
                    f"UPDATE {quote(str(meta.db_table))} AS t SET {values} "  # noqa: S608 - names from _meta
                    f'FROM (VALUES {", ".join([row] * len(chunk))}) AS "v"({", ".join(names)}, "pk") '
                    f'WHERE t.id = "v"."pk"',
                    [value for params in chunk for value in params],
                )
        else:
            cursor.executemany(sql, rows)
    return len(rows)
