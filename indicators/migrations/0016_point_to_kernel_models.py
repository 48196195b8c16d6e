"""The SPM models' references to areas, organisation and users now point to the kernel's models
(state only: the same tables and columns)."""

from django.conf import settings
from kernel.upgrade import StateOnly
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0015_drop_report_and_target_events"),
        ("kernel", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay as they are (the models keep their db_table).
        StateOnly(
            state_operations=[
                migrations.AlterField(
                    model_name='aggregationrun',
                    name='district',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='quarterservicenote',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quarter_notes', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='targetapproval',
                    name='district',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='target_approvals', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='achievement',
                    name='district',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.district'),
                ),
                migrations.AlterField(
                    model_name='estimaterule',
                    name='district',
                    field=models.ForeignKey(blank=True, help_text="Empty: the edition's default for every district.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='estimate_rules', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='reportingrate',
                    name='district',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.district'),
                ),
                migrations.AlterField(
                    model_name='achievement',
                    name='province',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.province'),
                ),
                migrations.AlterField(
                    model_name='aggregationrun',
                    name='province',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.province', verbose_name='province'),
                ),
                migrations.AlterField(
                    model_name='reportingrate',
                    name='province',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.province'),
                ),
                migrations.AlterField(
                    model_name='aggregationrun',
                    name='puskesmas',
                    field=models.ForeignKey(blank=True, help_text="Set for an incremental run after one puskesmas's report changed.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.puskesmas', verbose_name='puskesmas'),
                ),
                migrations.AlterField(
                    model_name='reportingrate',
                    name='puskesmas',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.puskesmas'),
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='puskesmas',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='kernel.puskesmas', verbose_name='puskesmas'),
                ),
                migrations.AlterField(
                    model_name='achievement',
                    name='puskesmas',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='kernel.puskesmas'),
                ),
                migrations.AlterField(
                    model_name='targetapproval',
                    name='approved_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by'),
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='decided_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved or returned by'),
                ),
                migrations.AlterField(
                    model_name='target',
                    name='entered_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by'),
                ),
                migrations.AlterField(
                    model_name='target',
                    name='chosen_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='chosen by'),
                ),
                migrations.AlterField(
                    model_name='quarterservicenote',
                    name='updated_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by'),
                ),
                migrations.AlterField(
                    model_name='unlockrequest',
                    name='decided_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='locked_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='locked by'),
                ),
                migrations.AlterField(
                    model_name='aggregationrun',
                    name='requested_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by'),
                ),
                migrations.AlterField(
                    model_name='unlockrequest',
                    name='requested_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
                ),
                migrations.AlterField(
                    model_name='estimaterule',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='monthlyvalue',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by'),
                ),
                migrations.AlterField(
                    model_name='valuechange',
                    name='changed_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
                ),
                migrations.AlterField(
                    model_name='monthlyreport',
                    name='submitted_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
                ),
                migrations.AlterField(
                    model_name='valuechange',
                    name='village',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='target',
                    name='village',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='villagepopulation',
                    name='village',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='populations', to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='monthlyvalue',
                    name='village',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='kernel.village', verbose_name='village'),
                ),
            ],
        ),
    ]
