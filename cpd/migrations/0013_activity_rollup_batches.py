"""The roll-up counts each statement once, tagged with its batch.

The daily rows of the old roll-up (per day, person, cohort and verb) cannot be
told from the statements they counted, so they go: every statement is untagged
after this migration, reports read them all from ``Activity`` (the same figures,
slower) until the next roll-up (hourly on beat, or ``manage.py record_backfill``)
counts them into the new rows.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def forget_old_rows(apps, schema_editor):
    apps.get_model("cpd", "ActivityDaily").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cpd", "0012_data_saver"),
    ]

    operations = [
        migrations.RunPython(forget_old_rows, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RollupBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("statements", models.PositiveIntegerField(default=0)),
                ("rows", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name="activitydaily",
            name="activity_daily_actor",
        ),
        migrations.AddField(
            model_name="activity",
            name="rollup_batch",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="activitydaily",
            name="batch",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="activitydaily",
            name="course_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="activitydaily",
            name="last",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="activitydaily",
            name="session_key",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name="activitydaily",
            name="cohort",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cpd.cohort",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("rollup_batch__isnull", True)),
                fields=["timestamp"],
                name="activity_unrolled",
            ),
        ),
        migrations.AddIndex(
            model_name="activitydaily",
            index=models.Index(
                fields=["actor", "day"],
                include=(
                    "cohort",
                    "course_id",
                    "verb",
                    "session_key",
                    "count",
                    "duration_seconds",
                    "last",
                ),
                name="activity_daily_actor",
            ),
        ),
        migrations.AddIndex(
            model_name="activitydaily",
            index=models.Index(
                condition=models.Q(("verb", "signed-in")),
                fields=["actor", "day"],
                include=("cohort", "course_id", "session_key"),
                name="activity_daily_signins",
            ),
        ),
    ]
