"""Alerts move from protocols to core: the table stays, only Django's state moves.

0001 takes over ``protocols_alert`` as it is (state only); 0002 renames it
``core_alert`` and adds what the alert e-mail needs.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("inbox", "0008_private_replies_and_hiding"),
        ("protocols", "0013_default_handling"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("at_risk", "deadline at risk"),
                                    ("breached", "deadline breached"),
                                    ("crisis", "crisis"),
                                    ("assigned", "assigned to you"),
                                    ("handover", "handed over to you"),
                                    ("rota_gap", "gap in the rota"),
                                    ("case", "your proposal for the manual"),
                                    ("channel", "a channel needs attention"),
                                ],
                                max_length=10,
                                verbose_name="kind",
                            ),
                        ),
                        ("text", models.CharField(max_length=300, verbose_name="text")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                        ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
                        (
                            "conversation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to="inbox.conversation",
                                verbose_name="conversation",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recipient",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "alert",
                        "verbose_name_plural": "alerts",
                        "ordering": ["-created_at"],
                        "db_table": "protocols_alert",
                        "indexes": [models.Index(fields=["recipient", "read_at"], name="alert_unread_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
