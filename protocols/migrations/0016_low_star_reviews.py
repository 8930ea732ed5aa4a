"""Default rules for reviews (Google Business Profile): one or two stars is a
complaint; three to five stars, when no rule on its words matched first, a comment.

Review messages start with their stars ("★★☆☆☆ 2/5"), so the rules are patterns
on the text, editable like any other rule."""

from django.db import migrations

# name, position, category slug, priority, pattern
RULES = [
    ("Reseñas de una o dos estrellas", 15, "queja", 3, "^★{1,2}☆{3,4} [12]/5"),
    ("Reseñas de tres a cinco estrellas", 55, "comentario", None, "^★{3,5}☆{0,2} [345]/5"),
]


def create(apps, schema_editor):
    Rule = apps.get_model("protocols", "Rule")
    Category = apps.get_model("protocols", "Category")
    for name, position, slug, priority, pattern in RULES:
        if Rule.objects.filter(name=name).exists():
            continue
        Rule.objects.create(
            name=name,
            position=position,
            category=Category.objects.filter(slug=slug).first(),
            priority=priority,
            pattern=pattern,
        )


def remove(apps, schema_editor):
    Rule = apps.get_model("protocols", "Rule")
    for name, _position, _slug, _priority, pattern in RULES:
        Rule.objects.filter(name=name, pattern=pattern).delete()


class Migration(migrations.Migration):
    dependencies = [("protocols", "0015_crisis_mentions")]

    operations = [migrations.RunPython(create, remove)]
