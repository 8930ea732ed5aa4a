from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("protocols", "0014_alert_moves_to_core"),
    ]

    operations = [
        migrations.AlterModelTable(name="alert", table=None),
        migrations.AddField(
            model_name="alert",
            name="email",
            field=models.BooleanField(default=False, verbose_name="also by e-mail"),
        ),
        migrations.AddField(
            model_name="alert",
            name="emailed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="e-mailed at"),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                condition=models.Q(("email", True), ("emailed_at__isnull", True)),
                fields=["id"],
                name="alert_email_owed_idx",
            ),
        ),
    ]
