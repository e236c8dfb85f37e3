from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cpd", "0011_invitation_delivered_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="data_saver",
            field=models.BooleanField(
                default=False,
                help_text="Photos wait for a tap before they load, in their small size.",
                verbose_name="data saver",
            ),
        ),
    ]
