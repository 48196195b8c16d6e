"""The imports of the planning app, declared on the one pipeline (kernel/imports).

RUK activities: a plan's filled template (planning/services/ruk_excel builds it). Its RUK sheet
is declared here once; the template takes its headings and column letters from it. The hidden
meta sheet says which plan the file is of and at which version it was downloaded: a file of
another plan, or one older than the plan's last change, is refused (naming who changed it).
Rows with an ID update that activity, rows without one add an activity; both are written
through the activities service the activity form uses (its rules, its rights), in one change
of the plan.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.imports import (
    BadCell,
    Choice,
    Column,
    Importer,
    Outcome,
    Parsed,
    Row,
    Rupiah,
    SheetSpec,
    Target,
    Text,
    refusal,
    register,
)
from kernel.imports.reader import FileRefused, short
from kernel.imports.schema import text_of
from kernel.models import AuditEvent, FundingSource, ImportJob, User
from kernel.spreadsheets import CellError

from . import documents, rights, selectors
from .forms import plan_services
from .models import Activity, BudgetSubActivity, Plan
from .selectors.sources import plan_service_points
from .services.activities import (
    FIELDS,
    REQUIRED,
    PlanChanged,
    activities_import,
    activity_fields_clean,
)
from .services.ruk_excel.layout import (
    DATA_SHEET,
    MAX_ROWS,
    META_KIND,
    META_SHEET,
    lists_title,
    ukbm_label,
)

# --- The cells of the RUK sheet ------------------------------------------------------------------


class ActivityId:
    """Column A: the ID of an activity of this plan (the template's hidden column), or empty."""

    def __call__(self, value: object, context: Mapping) -> Activity | None:
        text = text_of(value)
        if not text:
            return None
        found = context["activities"].get(text)
        if found is None:
            raise BadCell(
                _(
                    "“%(value)s” is not the ID of an activity of this plan; leave the ID empty "
                    "for a new activity."
                )
                % {"value": short(text)}
            )
        return found


class Budget(Rupiah):
    """Whole rupiah, 0 or more, within the column's 15 digits."""

    def __init__(self):
        super().__init__(maximum=10**15 - 1)

    def __call__(self, value: object, context: Mapping) -> int | None:
        amount = super().__call__(value, context)
        if amount is not None and amount < 0:
            raise BadCell(_("the budget cannot be negative."))
        return amount


class FromLists(Choice):
    """A funding source, by its label in either language or its code; says where the list is."""

    def __call__(self, value: object, context: Mapping) -> str:
        try:
            return super().__call__(value, context)
        except BadCell:
            problem = _("unknown funding source “%(value)s”; choose one from the sheet %(sheet)s.")
            raise BadCell(
                problem % {"value": short(text_of(value)), "sheet": lists_title()}
            ) from None


SERVICE_NUMBER = re.compile(r"(\d{1,2})(?:\s*[.)]\s*.*)?", re.DOTALL)


class SpmService:
    """A district SPM service of the plan year's edition, as "4. Pelayanan ..." or "4"."""

    def __call__(self, value: object, context: Mapping):
        text = text_of(value)
        if not text:
            return None
        match = SERVICE_NUMBER.fullmatch(text)
        service = context["services"].get(int(match[1])) if match else None
        if service is None:
            problem = _("unknown SPM service “%(value)s”; choose one from the sheet %(sheet)s.")
            raise BadCell(problem % {"value": short(text), "sheet": lists_title()})
        return service


class BudgetCode:
    """A budget sub-activity by its code (the text after it, its label, is ignored). Codes no
    longer in use are found too: the activities service says they cannot be chosen."""

    def __call__(self, value: object, context: Mapping) -> BudgetSubActivity | None:
        text = text_of(value)
        code = text.split()[0] if text else ""
        if not code:
            return None
        found = context["codes"].get(code)
        if found is None:
            problem = _(
                "unknown budget sub-activity code “%(value)s”; choose one from the sheet %(sheet)s."
            )
            raise BadCell(problem % {"value": short(text), "sheet": lists_title()})
        return found


class UkbmName:
    """A posyandu or other UKBM of the plan's owner, as the template writes it ("Posyandu
    Mawar (Desa)") or by its name alone while no other UKBM of the area shares it; case-blind
    (issue #17)."""

    def __call__(self, value: object, context: Mapping):
        text = " ".join(text_of(value).split())
        if not text:
            return None
        found = context["service_points"].get(text.casefold())
        if found is None:
            problem = _(
                "unknown posyandu or UKBM “%(value)s” of the plan's area; choose one from the "
                "sheet %(sheet)s."
            )
            raise BadCell(problem % {"value": short(text), "sheet": lists_title()})
        return found


def ukbm_names(points) -> dict[str, object]:
    """The names an import accepts for each UKBM: its label, and its bare name or "kind name"
    when only one UKBM of the area has it."""
    names: dict[str, object] = {}
    shared: set[str] = set()
    for point in points:
        for name in (point.name, str(point)):
            key = " ".join(name.split()).casefold()
            if key in names and names[key] != point:
                shared.add(key)
            names[key] = point
    for key in shared:
        del names[key]
    for point in points:
        names[" ".join(ukbm_label(point).split()).casefold()] = point
    return names


def _text(name: str) -> Text:
    return Text(Activity._meta.get_field(name).max_length)


# The template's columns: the hidden ID, then the export's RUK columns (planning.documents).
# The service point's heading is the export's last (after the origin, which is not imported).
_HEADINGS = dict(zip(FIELDS[:15], documents.RUK_HEADERS[1:16], strict=True)) | {
    "service_point": documents.RUK_HEADERS[17]
}
_KINDS = {
    "budget_idr": Budget(),
    "funding_source": FromLists(FundingSource.choices),
    "service": SpmService(),
    "sub_activity": BudgetCode(),
    "service_point": UkbmName(),
}
_REQUIRED = {*REQUIRED, "budget_idr", "funding_source"}

RUK_SHEET = SheetSpec(
    title=DATA_SHEET,
    columns=(
        Column("id", "ID", ActivityId()),
        *(
            Column(
                name,
                gettext_lazy(_HEADINGS[name]),
                _KINDS.get(name) or _text(name),
                required=name in _REQUIRED,
            )
            for name in FIELDS
        ),
    ),
    max_rows=MAX_ROWS,
    # The posyandu/UKBM column (issue #17) is last: a template downloaded before it imports.
    optional_last=True,
)


# --- The stale-file check ------------------------------------------------------------------------


def who_changed(plan: Plan, *, version: int, since: datetime.datetime, by: User) -> str:
    """Why an old file is refused: who changed the plan after it was downloaded, and when."""
    candidates = []
    event = (
        plan.events.filter(at__gt=since)
        .exclude(action=AuditEvent.Action.CREATED)
        .select_related("by")
        .order_by("-at")
        .first()
    )
    if event:
        candidates.append((event.at, event.by))
    activity = (
        plan.activities.filter(updated_at__gt=since)
        .select_related("updated_by")
        .order_by("-updated_at")
        .first()
    )
    if activity:
        candidates.append((activity.updated_at, activity.updated_by))
    if not candidates:
        return _(
            "This plan changed after this file was downloaded (version %(file)s, now %(now)s): "
            "download the template again and copy your changes into it."
        ) % {"file": version, "now": plan.version}
    when, who = max(candidates, key=lambda candidate: candidate[0])
    when = date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")
    if who == by:
        return _(
            "You changed this plan in Simpul on %(when)s, after this file was downloaded: "
            "download the template again and copy your changes into it."
        ) % {"when": when}
    return _(
        "%(who)s changed this plan on %(when)s, after this file was downloaded: download the "
        "template again and copy your changes into it, so that their work is not overwritten."
    ) % {
        "who": who.get_full_name() or who.username,
        "when": when,
    }


def _whole(value: object) -> int | None:
    text = text_of(value)
    return int(text) if text.isdigit() and len(text) < 12 else None


def read_meta(workbook, *, plan: Plan) -> tuple[dict, list[CellError]]:
    """The hidden sheet: the plan and version the file was downloaded at, and when."""
    missing = _(
        "this hidden sheet is missing or changed; copy your rows into a template downloaded "
        "from the plan's page."
    )
    values: dict[str, object] = {}
    if META_SHEET in workbook.sheet_names:
        try:
            for _number, row in workbook.rows(META_SHEET, max_rows=10, max_columns=2):
                if len(row) == 2:
                    values[text_of(row[0])] = row[1]
        except FileRefused:
            values = {}
    try:
        downloaded = datetime.datetime.fromisoformat(text_of(values.get("downloaded_at"))[:40])
    except ValueError:
        downloaded = None
    meta = {"plan": _whole(values.get("plan")), "version": _whole(values.get("version"))}
    if values.get("kind") != META_KIND or None in meta.values() or downloaded is None:
        return {}, [CellError(META_SHEET, None, None, missing)]
    if meta["plan"] != plan.pk:
        problem = _(
            "this file is the template of another plan; download this plan's template and copy "
            "your rows into it, with the ID column empty."
        )
        return {}, [CellError(DATA_SHEET, None, None, problem)]
    if timezone.is_naive(downloaded):
        downloaded = timezone.make_aware(downloaded)
    return {**meta, "downloaded_at": downloaded}, []


# --- The importer --------------------------------------------------------------------------------


def _same(activity: Activity, data: Mapping) -> bool:
    return all(
        (getattr(activity, f"{name}_id") == (data[name].pk if data[name] else None))
        if name in ("service", "sub_activity", "service_point")
        else getattr(activity, name) == data[name]
        for name in FIELDS
    )


@register
class RukActivitiesImporter(Importer):
    """A plan's filled RUK template: adds the rows without an ID, updates those with one."""

    kind = ImportJob.Kind.RUK_ACTIVITIES
    sheet = RUK_SHEET

    def target(self, *, user, params: Mapping) -> Target:
        """The plan, for its writers while it is open (the activity form's rights)."""
        try:
            pk = int(params.get("plan"))
        except (TypeError, ValueError):
            pk = None
        # The plans the user may open (in their area), as on the plan's pages.
        plan = selectors.plans_visible(user=user).filter(pk=pk).first() if pk else None
        if plan is None or not rights.is_plan_writer(user, plan):
            raise PermissionDenied(_("Only the plan's own puskesmas or district can change it."))
        if not rights.can_edit_plan(user, plan):
            raise ValidationError(_("This RUK is submitted or approved: it cannot be changed now."))
        # The job belongs to the plan's puskesmas (with its district), or its district: never
        # to the province, which reads approved data only.
        return Target(
            district_id=plan.district_id,
            puskesmas_id=plan.puskesmas_id,
            label=documents.plan_title(plan),
            back_url=reverse("planning:plan-detail", args=[plan.pk]) + "#activities",
            obj=plan,
        )

    def lookups(self, *, user, params: Mapping, target: Target) -> dict:
        plan: Plan = target.obj
        activities = plan.activities.select_related("service", "sub_activity", "service_point")
        codes = {code.code: code for code in BudgetSubActivity.objects.all()}
        return {
            "activities": {str(activity.pk): activity for activity in activities},
            "services": {service.number: service for service in plan_services(plan.year)},
            "codes": codes,
            "spm_codes": {c.spm_number: c for c in codes.values() if c.spm_number and c.is_active},
            "service_points": ukbm_names(
                plan_service_points(plan).select_related("village").order_by("name", "pk")
            ),
        }

    def parse(self, workbook, *, user, params: Mapping, target: Target) -> Parsed:
        """The hidden sheet first (a stale file is refused whole, naming who changed the plan),
        then the RUK sheet as declared."""
        plan: Plan = target.obj
        meta, errors = read_meta(workbook, plan=plan)
        context = self.lookups(user=user, params=params, target=target)
        if meta and meta["version"] != plan.version:
            raise ValidationError(
                who_changed(plan, version=meta["version"], since=meta["downloaded_at"], by=user)
            )
        parsed = self.sheet.read(workbook, context)
        parsed.errors = errors + parsed.errors
        parsed.extra = {**meta, "context": context, "file": workbook.name}
        return parsed

    def apply(self, *, rows: list[Row], parsed: Parsed, user, params, target, progress) -> Outcome:
        plan: Plan = target.obj
        meta = parsed.extra
        errors: list[CellError] = []

        def located(row: Row, key: str | None, problem: str) -> None:
            column = self.sheet.letter(key) if key else None
            errors.append(CellError(parsed.sheet, row.number, column, problem))

        new, changed, unchanged = [], [], 0
        width = len(self.sheet.columns)
        has_ukbm_column = len(parsed.headers) >= width and bool(text_of(parsed.headers[width - 1]))
        seen: dict[int, int] = {}
        for index, row in enumerate(rows):
            progress(index + 1, len(rows))
            activity: Activity | None = row["id"]
            if activity is not None:
                if activity.pk in seen:
                    problem = _(
                        "this activity is already on row %(row)s; clear the ID of a copied row "
                        "to add it as a new activity."
                    )
                    located(row, "id", problem % {"row": seen[activity.pk]})
                    continue
                seen[activity.pk] = row.number
            data = {name: row[name] for name in FIELDS}
            if not has_ukbm_column:  # an older template: the activity keeps its UKBM
                data["service_point"] = activity.service_point if activity else None
            service = data["service"]
            if (
                activity
                and activity.service
                and service
                and activity.service.number == (service.number)
            ):
                data["service"] = activity.service  # kept, even from an earlier edition's gap
            if activity is not None and _same(activity, data):
                unchanged += 1
                continue
            if data["service"] is not None and data["sub_activity"] is None:
                # The service's own code, as the activities service would pick it.
                data["sub_activity"] = meta["context"]["spm_codes"].get(data["service"].number)
            try:
                data = activity_fields_clean(data)  # the activity form's rules
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    located(row, name if name in FIELDS else None, " ".join(problems))
                continue
            if activity is None:
                new.append(data)
            else:
                changed.append((activity, data))
        if errors:
            raise refusal(errors)
        if new or changed:
            reason = (_("Excel import: %(file)s") % {"file": meta["file"]})[:100]
            try:
                activities_import(
                    plan=plan,
                    version=meta["version"],
                    new=new,
                    changed=changed,
                    by=user,
                    reason=reason,
                )
            except PlanChanged:
                plan.refresh_from_db()
                raise ValidationError(
                    who_changed(plan, version=meta["version"], since=meta["downloaded_at"], by=user)
                ) from None
        untouched = len(meta["context"]["activities"]) - len(seen)
        counts = {
            "added": len(new),
            "updated": len(changed),
            "unchanged": unchanged,
            "untouched": untouched,
        }
        summary = (
            _(
                "Excel import done. Activities added: %(added)s, updated: %(updated)s, "
                "unchanged: %(unchanged)s."
            )
            % counts
        )
        if untouched:
            summary += " " + _(
                "Activities of the plan not in the file, left as they were: %(count)s."
            ) % {"count": untouched}
        return Outcome(summary=summary, done=len(new) + len(changed), details=counts)
