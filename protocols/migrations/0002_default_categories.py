from django.db import migrations

DEFAULTS = [
    # slug, Spanish name (the product's default language), colour, priority, requires reply
    ("crisis", "Crisis", "#b91c1c", 4, True),
    ("queja", "Queja", "#ea580c", 3, True),
    ("consulta", "Consulta", "#2563eb", 2, True),
    ("sugerencia", "Sugerencia", "#7c3aed", 2, True),
    ("comentario", "Comentario", "#64748b", 1, False),
]


def create_defaults(apps, schema_editor):
    Category = apps.get_model("protocols", "Category")
    for slug, name, colour, priority, requires_reply in DEFAULTS:
        Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "colour": colour, "priority": priority, "requires_reply": requires_reply},
        )


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
