"""Copy every PlanEvent into the one audit log (indicators.AuditEvent): who, when, the action, the
note (as the reason), the plan and its area. The status a step led to is known from its action."""

from django.db import migrations

BATCH = 2000
TO_STATUS = {"submitted": "submitted", "returned": "returned", "approved": "approved"}


def fold(apps, schema_editor):
    AuditEvent = apps.get_model("indicators", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    PlanEvent = apps.get_model("planning", "PlanEvent")
    plan_type = ContentType.objects.get_or_create(app_label="planning", model="plan")[0]
    rows = []
    events = PlanEvent.objects.order_by("pk").values_list(
        "plan_id",
        "plan__puskesmas_id",
        "plan__district_id",
        "plan__district__province_id",
        "action",
        "note",
        "by_id",
        "at",
    )
    for plan, puskesmas, district, province, action, note, by, at in events.iterator(
        chunk_size=BATCH
    ):
        rows.append(
            AuditEvent(
                province_id=province,
                district_id=district,
                puskesmas_id=puskesmas,
                content_type=plan_type,
                object_id=plan,
                action=action,
                to_status=TO_STATUS.get(action, "draft" if action == "created" else ""),
                reason=note,
                data={"from": "plan_event"},
                by_id=by,
                at=at,
            )
        )
        if len(rows) >= BATCH:
            AuditEvent.objects.bulk_create(rows)
            rows = []
    AuditEvent.objects.bulk_create(rows)


def unfold(apps, schema_editor):
    """Back to the old table, from the audit log (for a rollback)."""
    AuditEvent = apps.get_model("indicators", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    PlanEvent = apps.get_model("planning", "PlanEvent")
    plan_type = ContentType.objects.get_or_create(app_label="planning", model="plan")[0]
    events = AuditEvent.objects.filter(content_type=plan_type, by__isnull=False).order_by("pk")
    for event in events.iterator(chunk_size=BATCH):
        kept = PlanEvent.objects.create(
            plan_id=event.object_id, action=event.action, note=event.reason, by_id=event.by_id
        )
        PlanEvent.objects.filter(pk=kept.pk).update(at=event.at)
    AuditEvent.objects.filter(content_type=plan_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("indicators", "0013_audit_events"),
        ("planning", "0003_history_of_activities"),
    ]

    operations = [migrations.RunPython(fold, unfold)]
