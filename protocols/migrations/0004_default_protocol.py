"""A starting protocol for a Spanish small business; the Community Manager edits it:
rules, calendars with Spain's national holidays, reply deadlines per category,
and the escalation chain (assignee at risk, supervisors at breach, CM at once
for a crisis)."""

import datetime

from django.db import migrations

# name, position, category slug, priority, keywords, pattern
DEFAULTS = [
    (
        "Crisis: accidentes, heridos, denuncias",
        10,
        "crisis",
        4,
        "accidente\naccidentes\nherido\nheridos\nherida\nmuerto\nfallecido\nintoxicación\nintoxicados\ndenuncia\n"
        "denunciar\nabogado\nambulancia\nnegligencia\nsin comunicado\nseguir callados",
        "",
    ),
    (
        "Quejas",
        20,
        "queja",
        3,
        "queja\nquejas\nreclamación\nreclamar\nhoja de reclamaciones\ninadmisible\nvergüenza\nestafa\nfatal\n"
        "pésimo\nmal servicio\ncobrado dos veces\ncobro doble\ndevolución\ndevolvéis\nno es normal\nsigo esperando\n"
        "muy caro\nduro y seco",
        "",
    ),
    (
        "Sugerencias",
        30,
        "sugerencia",
        None,
        "sugerencia\nsugerencias\npropongo\npropuesta\nestaría bien\nestaría genial\npodríais\nos animo\nbuena idea",
        "",
    ),
    (
        "Consultas (preguntas)",
        40,
        "consulta",
        None,
        "horario\nprecio\nprecios\ncuánto cuesta\nreservar\nencargar\nencargo\ndisponible",
        "",
    ),
    ("Preguntas (con interrogación)", 45, "consulta", None, "", r"\?"),
    (
        "Comentarios y agradecimientos",
        50,
        "comentario",
        None,
        "gracias\nfelicidades\nenhorabuena\nbuenísimo\nbuenísimas\nexcelente\nseguid así",
        "",
    ),
]


def create_defaults(apps, schema_editor):
    Rule = apps.get_model("protocols", "Rule")
    Category = apps.get_model("protocols", "Category")
    if Rule.objects.exists():
        return
    for name, position, slug, priority, keywords, pattern in DEFAULTS:
        Rule.objects.create(
            name=name,
            position=position,
            category=Category.objects.filter(slug=slug).first(),
            priority=priority,
            keywords=keywords,
            pattern=pattern,
        )


# Spain's national holidays (BOE); regional ones are the CM's to add.
HOLIDAYS = [
    ("2026-01-01", "Año Nuevo"),
    ("2026-01-06", "Epifanía del Señor"),
    ("2026-04-03", "Viernes Santo"),
    ("2026-05-01", "Fiesta del Trabajo"),
    ("2026-08-15", "Asunción de la Virgen"),
    ("2026-10-12", "Fiesta Nacional de España"),
    ("2026-11-01", "Todos los Santos"),
    ("2026-12-07", "Lunes siguiente a la Constitución"),
    ("2026-12-08", "Inmaculada Concepción"),
    ("2026-12-25", "Natividad del Señor"),
    ("2027-01-01", "Año Nuevo"),
    ("2027-01-06", "Epifanía del Señor"),
    ("2027-03-26", "Viernes Santo"),
    ("2027-05-01", "Fiesta del Trabajo"),
    ("2027-08-16", "Lunes siguiente a la Asunción"),
    ("2027-10-12", "Fiesta Nacional de España"),
    ("2027-11-01", "Todos los Santos"),
    ("2027-12-06", "Día de la Constitución"),
    ("2027-12-08", "Inmaculada Concepción"),
    ("2027-12-25", "Natividad del Señor"),
]

# category slug, calendar ("always" or "shop"), first, next, resolution (minutes), at risk %
SLAS = [
    ("crisis", "always", 30, 30, 8 * 60, 50),
    ("queja", "always", 60, 120, 24 * 60, 75),
    ("consulta", "always", 4 * 60, 4 * 60, 48 * 60, 75),
    ("sugerencia", "shop", 8 * 60, 8 * 60, None, 75),
    ("comentario", "shop", 24 * 60, None, None, 80),
    (None, "always", 4 * 60, 4 * 60, None, 75),  # anything no rule classified
]

ESCALATIONS = [("at_risk", "assignee"), ("breached", "supervisors"), ("crisis", "community_managers")]


def create_slas(apps, schema_editor):
    BusinessCalendar = apps.get_model("protocols", "BusinessCalendar")
    Holiday = apps.get_model("protocols", "Holiday")
    SlaPolicy = apps.get_model("protocols", "SlaPolicy")
    Category = apps.get_model("protocols", "Category")
    EscalationRule = apps.get_model("protocols", "EscalationRule")
    if SlaPolicy.objects.exists():
        return
    weekday = [["09:00", "14:00"], ["16:00", "19:00"]]
    calendars = {
        "always": BusinessCalendar.objects.create(name="Siempre (24/7)", always_open=True, hours={}),
        "shop": BusinessCalendar.objects.create(
            name="Horario de tienda",
            hours={"0": weekday, "1": weekday, "2": weekday, "3": weekday, "4": weekday, "5": [["10:00", "14:00"]]},
        ),
    }
    for day, name in HOLIDAYS:
        Holiday.objects.create(calendar=calendars["shop"], date=datetime.date.fromisoformat(day), name=name)
    for slug, calendar, first, next_, resolution, at_risk in SLAS:
        category = Category.objects.filter(slug=slug).first() if slug else None
        if slug and category is None:
            continue
        SlaPolicy.objects.create(
            name=category.name if category else "General",
            category=category,
            calendar=calendars[calendar],
            first_response_minutes=first,
            next_response_minutes=next_,
            resolution_minutes=resolution,
            at_risk_percent=at_risk,
        )
    for trigger, target in ESCALATIONS:
        EscalationRule.objects.create(trigger=trigger, target=target)


class Migration(migrations.Migration):
    dependencies = [("protocols", "0003_rules_slas_escalation"), ("protocols", "0002_default_categories")]
    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(create_slas, migrations.RunPython.noop),
    ]
