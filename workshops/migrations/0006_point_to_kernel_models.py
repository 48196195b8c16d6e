"""Meetings' references to areas, organisation and users now point to the kernel's models
(state only: the same tables and columns)."""

from django.conf import settings
from kernel.upgrade import StateOnly
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0005_versioned_photos"),
        ("kernel", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay as they are (the models keep their db_table).
        StateOnly(
            state_operations=[
                migrations.AlterField(
                    model_name='commitment',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='commitment',
                    name='partner',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='commitments', to='kernel.partnerorganisation', verbose_name='partner organisation'),
                ),
                migrations.AlterField(
                    model_name='commitment',
                    name='status_changed_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='status changed by'),
                ),
                migrations.AlterField(
                    model_name='commitment',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='followup',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='followup',
                    name='partner',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to='kernel.partnerorganisation', verbose_name='partner organisation'),
                ),
                migrations.AlterField(
                    model_name='followup',
                    name='status_changed_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='status changed by'),
                ),
                migrations.AlterField(
                    model_name='followup',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalcommitment',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalcommitment',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalcommitment',
                    name='partner',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.partnerorganisation', verbose_name='partner organisation'),
                ),
                migrations.AlterField(
                    model_name='historicalcommitment',
                    name='status_changed_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='status changed by'),
                ),
                migrations.AlterField(
                    model_name='historicalcommitment',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalfollowup',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalfollowup',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalfollowup',
                    name='partner',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.partnerorganisation', verbose_name='partner organisation'),
                ),
                migrations.AlterField(
                    model_name='historicalfollowup',
                    name='status_changed_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='status changed by'),
                ),
                migrations.AlterField(
                    model_name='historicalfollowup',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='district',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='province',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.province', verbose_name='province'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='puskesmas',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.puskesmas', verbose_name='puskesmas'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='signed_agreement_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed scan uploaded by'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalmusrenbangproposal',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalmusrenbangproposal',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalmusrenbangproposal',
                    name='outcome_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='outcome recorded by'),
                ),
                migrations.AlterField(
                    model_name='historicalmusrenbangproposal',
                    name='subdistrict',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.subdistrict', verbose_name='subdistrict'),
                ),
                migrations.AlterField(
                    model_name='historicalmusrenbangproposal',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalmusrenbangproposal',
                    name='village',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='historicalparticipant',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalparticipant',
                    name='partner',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.partnerorganisation', verbose_name='partner organisation'),
                ),
                migrations.AlterField(
                    model_name='historicalparticipant',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalparticipant',
                    name='user',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member'),
                ),
                migrations.AlterField(
                    model_name='historicalproblem',
                    name='history_user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='historicalproblem',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='historicalproblem',
                    name='village',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='district',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='kernel.district', verbose_name='district'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='province',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='kernel.province', verbose_name='province'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='puskesmas',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='kernel.puskesmas', verbose_name='puskesmas'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='signed_agreement_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed scan uploaded by'),
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='musrenbangproposal',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='musrenbangproposal',
                    name='outcome_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='outcome recorded by'),
                ),
                migrations.AlterField(
                    model_name='musrenbangproposal',
                    name='subdistrict',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='musrenbang_proposals', to='kernel.subdistrict', verbose_name='subdistrict'),
                ),
                migrations.AlterField(
                    model_name='musrenbangproposal',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='musrenbangproposal',
                    name='village',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='participant',
                    name='partner',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='meeting_participants', to='kernel.partnerorganisation', verbose_name='partner organisation'),
                ),
                migrations.AlterField(
                    model_name='participant',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='participant',
                    name='user',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='meeting_participations', to=settings.AUTH_USER_MODEL, verbose_name='staff member'),
                ),
                migrations.AlterField(
                    model_name='photo',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='photo',
                    name='uploaded_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
                ),
                migrations.AlterField(
                    model_name='problem',
                    name='updated_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='saved by'),
                ),
                migrations.AlterField(
                    model_name='problem',
                    name='village',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='kernel.village', verbose_name='village'),
                ),
                migrations.AlterField(
                    model_name='statusupdate',
                    name='by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
                ),
            ],
        ),
    ]
