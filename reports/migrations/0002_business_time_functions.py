"""Business time in SQL, for the raw computation and the rebuild: the same
arithmetic as ``protocols.business_time`` (opening intervals built per local
date of the calendar's time zone, holidays skipped, 24/7 calendars whole days)."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION reports_open_intervals(cal_id integer, lo timestamptz, hi timestamptz)
RETURNS TABLE (d date, s timestamptz, e timestamptz) LANGUAGE sql STABLE AS $$
    SELECT g.d::date,
           (CASE WHEN cal.always_open THEN g.d::date::timestamp
                 ELSE g.d::date + (h.value ->> 0)::time END) AT TIME ZONE cal.time_zone,
           (CASE WHEN cal.always_open OR (h.value ->> 1)::time = '00:00' THEN (g.d::date + 1)::timestamp
                 ELSE g.d::date + (h.value ->> 1)::time END) AT TIME ZONE cal.time_zone
      FROM protocols_businesscalendar cal
     CROSS JOIN generate_series((lo AT TIME ZONE cal.time_zone)::date, (hi AT TIME ZONE cal.time_zone)::date,
                                interval '1 day') AS g(d)
      LEFT JOIN LATERAL jsonb_array_elements(
                CASE WHEN cal.always_open THEN '[["00:00", "00:00"]]'::jsonb
                     ELSE coalesce(cal.hours -> (extract(isodow FROM g.d)::int - 1)::text, '[]'::jsonb) END
           ) AS h(value) ON TRUE
     WHERE cal.id = cal_id AND h.value IS NOT NULL
       AND (cal.always_open OR NOT EXISTS (
                SELECT 1 FROM protocols_holiday hd WHERE hd.calendar_id = cal.id AND hd.date = g.d::date))
$$;

CREATE OR REPLACE FUNCTION reports_business_seconds(cal_id integer, t0 timestamptz, t1 timestamptz)
RETURNS double precision LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t1 <= t0 THEN 0::float8
                ELSE coalesce(sum(EXTRACT(EPOCH FROM least(iv.e, t1) - greatest(iv.s, t0)))
                              FILTER (WHERE iv.e > t0 AND iv.s < t1), 0)::float8 END
      FROM reports_open_intervals(cal_id, t0, t1) iv
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS reports_business_seconds(integer, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS reports_open_intervals(integer, timestamptz, timestamptz);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("protocols", "0014_alert_moves_to_core")]

    operations = [migrations.RunPython(create, drop)]
