"""Copy every ReportEvent and TargetApprovalEvent into the one audit log (AuditEvent).

Nothing is lost: who, when, the action, the comment or reason, the object and its area. The
status a step led to is known from its action; the one it came from is not recorded (blank).
Target approvals that were reopened had their row deleted: the row comes back, open, so their
events keep an object. Existing approvals are approved (0013 added the status as open).
"""

from django.db import migrations

BATCH = 2000

REPORT_TO_STATUS = {
    "submitted": "submitted",
    "returned": "returned",
    "approved": "approved",
    "locked": "locked",
    "unlocked": "draft",
}
TARGET_TO_STATUS = {"approved": "approved", "reopened": "open"}


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="indicators", model=model)[0]


def _flush(AuditEvent, rows):
    if rows:
        AuditEvent.objects.bulk_create(rows, batch_size=BATCH)
        rows.clear()


def fold(apps, schema_editor):
    AuditEvent = apps.get_model("indicators", "AuditEvent")
    ReportEvent = apps.get_model("indicators", "ReportEvent")
    TargetApproval = apps.get_model("indicators", "TargetApproval")
    TargetApprovalEvent = apps.get_model("indicators", "TargetApprovalEvent")

    TargetApproval.objects.update(status="approved")

    report_type = _content_type(apps, "monthlyreport")
    rows = []
    events = ReportEvent.objects.order_by("pk").values_list(
        "report_id",
        "report__puskesmas_id",
        "report__puskesmas__district_id",
        "report__puskesmas__district__province_id",
        "action",
        "comment",
        "by_id",
        "at",
    )
    for report, puskesmas, district, province, action, comment, by, at in events.iterator(
        chunk_size=BATCH
    ):
        rows.append(
            AuditEvent(
                province_id=province,
                district_id=district,
                puskesmas_id=puskesmas,
                content_type=report_type,
                object_id=report,
                action=action,
                to_status=REPORT_TO_STATUS.get(action, ""),
                reason=comment,
                data={"from": "report_event"},
                by_id=by,
                at=at,
            )
        )
        if len(rows) >= BATCH:
            _flush(AuditEvent, rows)
    _flush(AuditEvent, rows)

    approval_type = _content_type(apps, "targetapproval")
    approvals = {(a.district_id, a.year): a.pk for a in TargetApproval.objects.all()}
    events = TargetApprovalEvent.objects.order_by("pk").values_list(
        "district_id", "district__province_id", "year", "action", "reason", "by_id", "at"
    )
    for district, province, year, action, reason, by, at in events.iterator(chunk_size=BATCH):
        if (district, year) not in approvals:
            approvals[(district, year)] = TargetApproval.objects.create(
                district_id=district, year=year, status="open"
            ).pk
        rows.append(
            AuditEvent(
                province_id=province,
                district_id=district,
                content_type=approval_type,
                object_id=approvals[(district, year)],
                action=action,
                to_status=TARGET_TO_STATUS.get(action, ""),
                reason=reason,
                data={"from": "target_approval_event"},
                by_id=by,
                at=at,
            )
        )
        if len(rows) >= BATCH:
            _flush(AuditEvent, rows)
    _flush(AuditEvent, rows)


def unfold(apps, schema_editor):
    """Back to the old tables, from the audit log (for a rollback)."""
    AuditEvent = apps.get_model("indicators", "AuditEvent")
    ReportEvent = apps.get_model("indicators", "ReportEvent")
    TargetApproval = apps.get_model("indicators", "TargetApproval")
    TargetApprovalEvent = apps.get_model("indicators", "TargetApprovalEvent")
    report_type = _content_type(apps, "monthlyreport")
    approval_type = _content_type(apps, "targetapproval")
    ReportEvent.objects.bulk_create(
        (
            ReportEvent(
                report_id=e.object_id, action=e.action, comment=e.reason, by_id=e.by_id, at=e.at
            )
            for e in AuditEvent.objects.filter(content_type=report_type, by__isnull=False)
            .order_by("pk")
            .iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    district_of = dict(TargetApproval.objects.values_list("pk", "district_id"))
    year_of = dict(TargetApproval.objects.values_list("pk", "year"))
    for e in AuditEvent.objects.filter(content_type=approval_type, by__isnull=False).order_by("pk"):
        event = TargetApprovalEvent.objects.create(
            district_id=district_of[e.object_id],
            year=year_of[e.object_id],
            action=e.action,
            reason=e.reason,
            by_id=e.by_id,
        )
        TargetApprovalEvent.objects.filter(pk=event.pk).update(at=e.at)
    AuditEvent.objects.filter(content_type__in=[report_type, approval_type]).delete()
    TargetApproval.objects.exclude(status="approved").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("indicators", "0013_audit_events"),
    ]

    operations = [migrations.RunPython(fold, unfold)]
