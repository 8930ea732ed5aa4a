"""A default rule: a one- or two-star review (Google Business Profile) is a complaint.

Review messages start with their stars ("★★☆☆☆ 2/5"), so the rule is a pattern
on the text, editable like any other rule."""

from django.db import migrations

NAME = "Reseñas de una o dos estrellas"
PATTERN = "^★{1,2}☆{3,4} [12]/5"


def create(apps, schema_editor):
    Rule = apps.get_model("protocols", "Rule")
    Category = apps.get_model("protocols", "Category")
    if Rule.objects.filter(name=NAME).exists():
        return
    Rule.objects.create(
        name=NAME,
        position=15,
        category=Category.objects.filter(slug="queja").first(),
        priority=3,
        pattern=PATTERN,
    )


def remove(apps, schema_editor):
    apps.get_model("protocols", "Rule").objects.filter(name=NAME, pattern=PATTERN).delete()


class Migration(migrations.Migration):
    dependencies = [("protocols", "0015_crisis_mentions")]

    operations = [migrations.RunPython(create, remove)]
