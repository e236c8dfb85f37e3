"""Partial index on live posts, newest first: search caps ranked rows by age."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("forums", "0004_forum_per_course")]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["-created_at", "-id"],
                name="forums_post_newest_live",
            ),
        ),
    ]
