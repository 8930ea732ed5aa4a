from django.db import migrations

DEFAULTS = ["answered", "tone", "protocol", "spelling", "on_time"]


def seed(apps, schema_editor):
    Criterion = apps.get_model("quality", "Criterion")
    QualitySettings = apps.get_model("quality", "QualitySettings")
    for position, key in enumerate(DEFAULTS):
        Criterion.objects.get_or_create(key=key, defaults={"position": position})
    if not QualitySettings.objects.exists():
        QualitySettings.objects.create(sample_size=3)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_quality_review")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
