"""Writes about realisation (issue #16, the e-SPM report's part C): whether a scheduled activity
was done in its month and what it cost, entered by the puskesmas for its approved RUK's RPK and
by the district's planners for their Dinkes plan.

Only a month that has started is realised. Done needs the cost realised (whole rupiah, 0 or
more; 0 if it cost nothing); not done needs the reason. An activity's realised costs together
may not pass its budget (the ceiling it was approved with; checked under a row lock, so two
saves at once cannot both slip past it): a typo with three zeros too many is refused, not
counted. Every save is versioned (a save over someone else's newer one is refused with who
and both values: kernel.versioning) and audited (kernel.audit). While the year is open, an entry
may be taken back to "not yet reported".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from kernel import audit
from kernel.models import AuditEvent, User
from kernel.versioning import save_versioned

from ..models import Activity, ScheduleEntry
from ..models.schedule import Realisation
from ..money import parse_rupiah, rupiah
from ..rights import can_realise, is_plan_writer
from ..selectors.budget import months_started, year_closes_on, year_is_open

FIELDS = ("realisation", "cost_realised_idr", "realisation_note")
NOTE_LENGTH: int = ScheduleEntry._meta.get_field("realisation_note").max_length or 300
# The column's 15 digits: anything longer cannot be stored, whatever the budget.
LARGEST = Decimal(10) ** 15 - 1


def _require_realiser(entry: ScheduleEntry, by: User) -> None:
    plan = entry.activity.plan
    if not is_plan_writer(by, plan):
        raise PermissionDenied(
            _(
                "Only the plan's own puskesmas (or, for the Dinkes plan, its district) enter what "
                "was realised."
            )
        )
    if not can_realise(by, plan):
        raise ValidationError(_("Only activities of an approved RUK are realised."))
    if entry.month > months_started(plan.year):
        raise ValidationError(
            _(
                "%(month)s %(year)s has not started yet: its realisation is entered once the "
                "month is under way."
            )
            % {"month": MONTHS[entry.month], "year": plan.year}
        )


def _cost(value: object, *, required: bool) -> Decimal | None:
    """The cost realised: whole rupiah, 0 or more, at most 15 digits; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(
                {
                    "cost_realised_idr": _(
                        "Enter the cost realised in whole rupiah (0 if it cost nothing)."
                    )
                }
            )
        return None
    cost: Decimal | None = None
    if isinstance(value, str):
        cost = parse_rupiah(value)  # as typed: 1500000, 1.500.000, Rp 1.500.000
    if cost is None and not isinstance(value, bool):
        try:
            cost = Decimal(str(value).strip())
        except InvalidOperation:
            cost = None
    if cost is None or not cost.is_finite():
        raise ValidationError(
            {"cost_realised_idr": _("Enter the cost realised as a number of rupiah.")}
        )
    if cost < 0:
        raise ValidationError({"cost_realised_idr": _("The cost realised cannot be negative.")})
    if cost != cost.to_integral_value():
        raise ValidationError(
            {"cost_realised_idr": _("Enter the cost realised in whole rupiah, without decimals.")}
        )
    if cost > LARGEST:
        raise ValidationError(
            {
                "cost_realised_idr": _(
                    "Rp %(amount)s cannot be right: enter the cost realised in whole rupiah, "
                    "at most 15 digits."
                )
                % {"amount": formats.number_format(cost, decimal_pos=0, force_grouping=True)}
            }
        )
    return cost.quantize(Decimal(1))


def _within_budget(entry: ScheduleEntry, cost: Decimal | None) -> None:
    """Refuse a cost that would take the activity's realised costs past its budget (the
    activity's row is locked first: two entries saved at once are checked one after the other)."""
    activity = (
        Activity.objects.select_for_update().only("pk", "budget_idr").get(pk=entry.activity_id)
    )
    others = (
        ScheduleEntry.objects.filter(activity_id=activity.pk)
        .exclude(pk=entry.pk)
        .filter(~Q(realisation=Realisation.PLANNED))
        .aggregate(total=Sum("cost_realised_idr"))["total"]
    ) or Decimal(0)
    if cost is not None and others + cost > activity.budget_idr:
        raise ValidationError(
            {
                "cost_realised_idr": _(
                    "With Rp %(cost)s, the costs realised for this activity would total "
                    "Rp %(total)s, more than its budget of Rp %(budget)s. Check the amount "
                    "(whole rupiah, no decimals)."
                )
                % {
                    "cost": rupiah(cost),
                    "total": rupiah(others + cost),
                    "budget": rupiah(activity.budget_idr),
                }
            }
        )


def _save(entry: ScheduleEntry, *, version: int | None, by: User, old: str) -> ScheduleEntry:
    # An entry keeps who and when as realised_by / realised_at (its updated_by / updated_at
    # properties), not as a Versioned model's fields.
    save_versioned(  # type: ignore[type-var]
        entry,
        by=by,
        version=version,
        fields=FIELDS,
        save=lambda e: e.save(update_fields=[*FIELDS, "realised_by", "realised_at", "version"]),
    )
    audit.record(
        entry,
        action=AuditEvent.Action.SAVED,
        by=by,
        reason=entry.realisation_note if entry.realisation == Realisation.NOT_DONE else "",
        from_status=old,
        to_status=entry.realisation,
        data={
            "version": entry.version,
            "month": entry.month,
            "cost_realised_idr": (
                str(entry.cost_realised_idr) if entry.cost_realised_idr is not None else None
            ),
        },
    )
    return entry


@transaction.atomic
def realisation_record(
    *,
    entry: ScheduleEntry,
    realisation: str,
    cost_realised_idr: object,
    note: str,
    version: int | None,
    by: User,
) -> ScheduleEntry:
    """Record whether `entry` was done in its month and what it cost, as seen at `version`;
    atomic, versioned (StaleEdit when someone saved it since) and audited. Refused: another
    plan's writer, an unapproved RUK, a month not started, done without a cost, not done
    without a reason, a cost that is not whole rupiah or that passes the activity's budget."""
    _require_realiser(entry, by)
    if realisation not in (Realisation.DONE, Realisation.NOT_DONE):
        raise ValidationError({"realisation": _("Choose done or not done.")})
    done = realisation == Realisation.DONE
    cost = _cost(cost_realised_idr, required=done)
    note = (note or "").strip()
    if not done and not note:
        raise ValidationError({"realisation_note": _("Say why the activity was not done.")})
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            {
                "realisation_note": _("Keep the note to %(count)s characters.")
                % {"count": NOTE_LENGTH}
            }
        )
    if cost is None:
        cost = Decimal(0)  # not done, nothing spent
    _within_budget(entry, cost)
    old = entry.realisation
    entry.realisation, entry.cost_realised_idr, entry.realisation_note = realisation, cost, note
    return _save(entry, version=version, by=by, old=old)


@transaction.atomic
def realisation_undo(*, entry: ScheduleEntry, version: int | None, by: User) -> ScheduleEntry:
    """Take `entry` back to "not yet reported" (its cost realised and note cleared) while the
    plan's year is open; atomic, versioned and audited."""
    _require_realiser(entry, by)
    if not entry.is_reported:
        raise ValidationError(_("This entry is not reported yet: there is nothing to take back."))
    year = entry.activity.plan.year
    if not year_is_open(year):
        raise ValidationError(
            _(
                "The realisation of %(year)s closed on %(date)s: an entry can be corrected, no "
                "longer taken back to not yet reported."
            )
            % {"year": year, "date": formats.date_format(year_closes_on(year), "SHORT_DATE_FORMAT")}
        )
    old = entry.realisation
    entry.realisation, entry.cost_realised_idr, entry.realisation_note = (
        Realisation.PLANNED,
        None,
        "",
    )
    return _save(entry, version=version, by=by, old=old)
