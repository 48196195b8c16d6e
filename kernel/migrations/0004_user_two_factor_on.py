from django.db import migrations, models


def flag_users_with_an_authenticator(apps, schema_editor):
    User = apps.get_model("kernel", "User")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    users = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    User.objects.filter(pk__in=users).update(two_factor_on=True)


class Migration(migrations.Migration):
    dependencies = [
        ("kernel", "0003_accounts"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="two_factor_on",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="two-factor sign-in on"
            ),
        ),
        migrations.RunPython(flag_users_with_an_authenticator, migrations.RunPython.noop),
    ]
