"""The models of regions, organisation, users, edits, the audit log and import jobs leave
`indicators` (state only: the kernel app has them, on the same tables); their content types
move with them."""

from django.conf import settings
from kernel.upgrade import StateOnly
from django.db import migrations
from django.db import migrations, models
import django.db.models.deletion


MOVED = ['province', 'district', 'subdistrict', 'village', 'regionpopulation', 'healthoffice', 'healthofficeunit', 'puskesmas', 'servicepoint', 'partnerorganisation', 'user', 'auditevent', 'submittedform', 'importjob', 'historicalhealthoffice', 'historicalhealthofficeunit', 'historicalpuskesmas', 'historicalservicepoint', 'historicalpartnerorganisation']


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue  # already there (created by a later post-migrate): keep it
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor) -> None:
    _move(apps, "indicators", "kernel")


def move_content_types_back(apps, schema_editor) -> None:
    _move(apps, "kernel", "indicators")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0016_point_to_kernel_models"),
        ("workshops", "0006_point_to_kernel_models"),
        ("planning", "0006_point_to_kernel_models"),
    ]

    operations = [
        # State only: the tables stay as they are (the models keep their db_table).
        StateOnly(
            state_operations=[
                migrations.RemoveField(
                    model_name='auditevent',
                    name='by',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='content_type',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='puskesmas',
                ),
                migrations.RemoveField(
                    model_name='district',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='historicalpartnerorganisation',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='historicalpuskesmas',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='historicalhealthoffice',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='subdistrict',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='puskesmas',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='healthoffice',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='importjob',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='partnerorganisation',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='historicalhealthofficeunit',
                    name='office',
                ),
                migrations.RemoveField(
                    model_name='healthofficeunit',
                    name='office',
                ),
                migrations.RemoveField(
                    model_name='healthofficeunit',
                    name='parent',
                ),
                migrations.RemoveField(
                    model_name='healthofficeunit',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='historicalhealthofficeunit',
                    name='parent',
                ),
                migrations.RemoveField(
                    model_name='historicalhealthoffice',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalhealthofficeunit',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalhealthofficeunit',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='historicalpartnerorganisation',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalpartnerorganisation',
                    name='subdistrict',
                ),
                migrations.RemoveField(
                    model_name='historicalpartnerorganisation',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='historicalpuskesmas',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalpuskesmas',
                    name='subdistrict',
                ),
                migrations.RemoveField(
                    model_name='historicalpuskesmas',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='historicalservicepoint',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalservicepoint',
                    name='puskesmas',
                ),
                migrations.RemoveField(
                    model_name='historicalservicepoint',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='historicalservicepoint',
                    name='village',
                ),
                migrations.RemoveField(
                    model_name='importjob',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='importjob',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='importjob',
                    name='puskesmas',
                ),
                migrations.RemoveField(
                    model_name='partnerorganisation',
                    name='subdistrict',
                ),
                migrations.RemoveField(
                    model_name='partnerorganisation',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='puskesmas',
                    name='subdistrict',
                ),
                migrations.RemoveField(
                    model_name='puskesmas',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='puskesmas',
                ),
                migrations.RemoveField(
                    model_name='servicepoint',
                    name='puskesmas',
                ),
                migrations.RemoveField(
                    model_name='village',
                    name='puskesmas',
                ),
                migrations.DeleteModel(
                    name='RegionPopulation',
                ),
                migrations.RemoveField(
                    model_name='servicepoint',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='servicepoint',
                    name='village',
                ),
                migrations.RemoveField(
                    model_name='village',
                    name='subdistrict',
                ),
                migrations.RemoveField(
                    model_name='submittedform',
                    name='content_type',
                ),
                migrations.RemoveField(
                    model_name='submittedform',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='groups',
                ),
                migrations.RemoveField(
                    model_name='user',
                    name='user_permissions',
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='District',
                ),
                migrations.DeleteModel(
                    name='HealthOffice',
                ),
                migrations.DeleteModel(
                    name='HealthOfficeUnit',
                ),
                migrations.DeleteModel(
                    name='HistoricalHealthOffice',
                ),
                migrations.DeleteModel(
                    name='HistoricalHealthOfficeUnit',
                ),
                migrations.DeleteModel(
                    name='HistoricalPartnerOrganisation',
                ),
                migrations.DeleteModel(
                    name='HistoricalPuskesmas',
                ),
                migrations.DeleteModel(
                    name='HistoricalServicePoint',
                ),
                migrations.DeleteModel(
                    name='ImportJob',
                ),
                migrations.DeleteModel(
                    name='PartnerOrganisation',
                ),
                migrations.DeleteModel(
                    name='Province',
                ),
                migrations.DeleteModel(
                    name='Puskesmas',
                ),
                migrations.DeleteModel(
                    name='ServicePoint',
                ),
                migrations.DeleteModel(
                    name='Subdistrict',
                ),
                migrations.DeleteModel(
                    name='SubmittedForm',
                ),
                migrations.DeleteModel(
                    name='User',
                ),
                migrations.DeleteModel(
                    name='Village',
                ),
            ],
        ),
        # Content types follow the models (permissions and audit events refer to them by id).
        migrations.RunPython(move_content_types, move_content_types_back, elidable=True),
    ]
