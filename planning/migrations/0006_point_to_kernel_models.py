"""Plans' references to areas, organisation and users now point to the kernel's models
(state only: the same tables and columns)."""

from django.conf import settings
from kernel.upgrade import StateOnly
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0005_drop_plan_events"),
        ("kernel", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay as they are (the models keep their db_table).
        StateOnly(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='activity',
                    name='updated_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalactivity',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalactivity',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalactivity',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalscheduleentry',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalscheduleentry',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='plan',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='plan',
                    name='decided_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved or returned by'),
                ),
                migrations.AlterField(
                    model_name='plan',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plans', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='plan',
                    name='puskesmas',
                    field=models.ForeignKey(blank=True, help_text="Empty for the district health office's own plan.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='plans', to='kernel.puskesmas', verbose_name='puskesmas'),
                ),
                migrations.AlterField(
                    model_name='plan',
                    name='submitted_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
                ),
                migrations.AlterField(
                    model_name='scheduleentry',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
        ),
    ]
