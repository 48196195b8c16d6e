"""The puskesmas's side of the yearly performance assessment (PKP, issue #18; DOMAIN.md §3, §7).

- `pkp_start`: the PKP of a puskesmas and year, made once with the edition that applies to the
  year, a service result per service-part item and a score per management item, filled from
  Simpul's data (assessments/pkp_rules.py); a second call returns the existing one.
- `pkp_refresh`: fill from data again where a value still comes from data (typed-over values
  are kept); says what changed.
- `save_service_result` / `save_self_score`: the puskesmas's figures, problems and RTL, and its
  own scores; versioned (kernel.versioning), only while the PKP is a draft or returned.
- `pkp_submit`: the head sends it to the Dinkes (kernel.reviews), once every management item
  has an own score.
- `recompute`: the part scores and ranks by the edition's bands (assessments/scoring.py);
  called after every save (the district's verification calls it too).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kernel import audit
from kernel import reviews as workflow
from kernel.models import AuditEvent, Puskesmas, User
from kernel.versioning import save_versioned

from ..data_rules import RULES, Filled
from ..models import (
    Instrument,
    Item,
    Part,
    PkpAssessment,
    PkpScore,
    PkpServiceResult,
    RankBand,
)
from ..rights import can_fill_pkp, can_submit_pkp
from ..scoring import Scored, rank_for, total_score, weighted_mean

Action = AuditEvent.Action
TEXT_LENGTH = 5_000
MAX_PEOPLE = 2_000_000_000  # PositiveIntegerField
RANK_ORDER = {"good": 2, "fair": 1, "poor": 0}


def clean_text(text: object, *, label: str = "") -> str:
    """Text as typed, without control characters (a pasted NUL byte), at most TEXT_LENGTH."""
    cleaned = "".join(
        ch for ch in str(text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if len(cleaned) > TEXT_LENGTH:
        raise ValidationError(
            _("%(label)s is too long (at most %(max)s characters).")
            % {"label": label or _("The text"), "max": TEXT_LENGTH}
        )
    return cleaned


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _people(raw: object, field: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(str(raw).strip().replace(".", "").replace(" ", ""))
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number of people.")}) from None
    if value < 0 or value > MAX_PEOPLE:
        raise ValidationError({field: _("Enter a whole number of people, 0 or more.")})
    return value


def _check_editable(assessment: PkpAssessment) -> None:
    if assessment.status not in PkpAssessment.EDITABLE_STATUSES:
        raise ValidationError(
            _("This PKP is %(status)s: it can no longer be changed.")
            % {"status": str(assessment.get_status_display()).lower()}
        )


def _check_fill(by: User, puskesmas: Puskesmas) -> None:
    if not can_fill_pkp(by, puskesmas):
        raise PermissionDenied(_("Only the puskesmas's own staff fill its PKP."))


# --- Filling from data ----------------------------------------------------------------------------


def _run_rule(item: Item, *, puskesmas: Puskesmas, year: int, cache: dict) -> Filled | None:
    entry = RULES.get(item.rule)
    if entry is None:
        return None
    return entry[1](puskesmas=puskesmas, year=year, item=item, cache=cache)


def _fill_service(result: PkpServiceResult, filled: Filled | None) -> bool:
    """Put the rule's figures on `result` (only while from data); True when something changed."""
    if filled is None or not result.from_data:
        return False
    before = (result.target_group, result.actual, result.data_note)
    result.target_group, result.actual = filled.target_group, filled.actual
    result.data_note = filled.note[:300]
    return before != (result.target_group, result.actual, result.data_note)


def _fill_score(score: PkpScore, filled: Filled | None) -> bool:
    if filled is None or filled.score is None or not score.from_data:
        return False
    before = (score.self_score, score.data_note)
    score.self_score, score.data_note = filled.score, filled.note[:300]
    return before != (score.self_score, score.data_note)


def _items(instrument: Instrument) -> list[Item]:
    return list(
        Item.objects.filter(section__instrument=instrument)
        .select_related("section", "service")
        .order_by("section__order", "order", "code")
    )


@transaction.atomic
def pkp_start(*, puskesmas: Puskesmas, year: int, by: User) -> PkpAssessment:
    """The PKP of `puskesmas` for `year`: the existing one, or a new draft filled from data."""
    _check_fill(by, puskesmas)
    existing = PkpAssessment.objects.filter(puskesmas=puskesmas, year=year).first()
    if existing is not None:
        return existing
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("Choose a year between 2000 and 2100."))
    instrument = Instrument.for_year(Instrument.Kind.PKP, year)
    if instrument is None:
        raise ValidationError(
            _("No PKP edition applies to %(year)s: ask the system administrator.") % {"year": year}
        )
    try:
        with transaction.atomic():
            assessment = PkpAssessment.objects.create(
                puskesmas=puskesmas, year=year, instrument=instrument, created_by=by
            )
    except IntegrityError:  # started at the same moment by someone else
        return PkpAssessment.objects.get(puskesmas=puskesmas, year=year)
    cache: dict = {}
    results, scores = [], []
    for item in _items(instrument):
        filled = _run_rule(item, puskesmas=puskesmas, year=year, cache=cache)
        if item.section.part == Part.SERVICE:
            result = PkpServiceResult(assessment=assessment, item=item, from_data=bool(item.rule))
            _fill_service(result, filled)
            results.append(result)
        elif item.section.part == Part.MANAGEMENT:
            score = PkpScore(assessment=assessment, item=item, from_data=bool(item.rule))
            _fill_score(score, filled)
            scores.append(score)
    PkpServiceResult.objects.bulk_create(results)
    PkpScore.objects.bulk_create(scores)
    audit.record(assessment, action=Action.CREATED, by=by)
    return recompute(assessment)


@transaction.atomic
def pkp_refresh(*, assessment: PkpAssessment, by: User) -> list[str]:
    """Fill again from data the figures and scores still from data; what changed, in words."""
    assessment = (
        PkpAssessment.objects.select_for_update().select_related("puskesmas").get(pk=assessment.pk)
    )
    _check_fill(by, assessment.puskesmas)
    _check_editable(assessment)
    cache: dict = {}
    changed: list[str] = []
    puskesmas, year = assessment.puskesmas, assessment.year
    results = list(
        assessment.service_results.filter(from_data=True).select_related("item__service")
    )
    for result in results:
        old = (result.target_group, result.actual)
        filled = _run_rule(result.item, puskesmas=puskesmas, year=year, cache=cache)
        if _fill_service(result, filled):
            result.version += 1
            result.updated_by = by
            result.save(
                update_fields=["target_group", "actual", "data_note", "version", "updated_by"]
            )
            if old != (result.target_group, result.actual):
                changed.append(
                    _(
                        "%(code)s: target group %(old_group)s -> %(group)s, achieved %(old)s -> "
                        "%(new)s"
                    )
                    % {
                        "code": result.item.code,
                        "old_group": _shown(old[0]),
                        "group": _shown(result.target_group),
                        "old": _shown(old[1]),
                        "new": _shown(result.actual),
                    }
                )
    scores = list(assessment.scores.filter(from_data=True).select_related("item"))
    for score in scores:
        old_score = score.self_score
        filled = _run_rule(score.item, puskesmas=puskesmas, year=year, cache=cache)
        if _fill_score(score, filled):
            score.version += 1
            score.updated_by = by
            score.save(update_fields=["self_score", "data_note", "version", "updated_by"])
            if old_score != score.self_score:
                changed.append(
                    _("%(code)s: score %(old)s -> %(new)s")
                    % {
                        "code": score.item.code,
                        "old": _shown(old_score),
                        "new": _shown(score.self_score),
                    }
                )
    if changed:
        _touch(assessment, by)
    audit.record(
        assessment,
        action=Action.SAVED,
        by=by,
        reason=_("Filled from data again"),
        data={"changed": changed},
    )
    recompute(assessment)
    return changed


def _touch(assessment: PkpAssessment, by: User) -> None:
    """A change to the PKP's figures or scores: its version moves on (a submit or a review made
    from an older page is refused)."""
    assessment.version += 1
    assessment.updated_by = by
    assessment.save(update_fields=["version", "updated_by"])


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# --- The puskesmas's edits ------------------------------------------------------------------------

SERVICE_TEXTS = ("problem", "cause", "rtl")


def _locked_assessment(assessment_id: int) -> PkpAssessment:
    return (
        PkpAssessment.objects.select_for_update().select_related("puskesmas").get(pk=assessment_id)
    )


@transaction.atomic
def save_service_result(
    *, result: PkpServiceResult, by: User, version: int | None, **fields: Any
) -> PkpServiceResult:
    """Save the figures, problem, cause, RTL and linked RTL items (`follow_ups`: ids of the
    puskesmas's meeting items) of one activity. Typing over a figure from data keeps the typed
    value from then on."""
    assessment = _locked_assessment(result.assessment_id)
    _check_fill(by, assessment.puskesmas)
    _check_editable(assessment)
    unknown = set(fields) - {"target_group", "actual", *SERVICE_TEXTS, "follow_ups"}
    if unknown:
        raise ValidationError(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    follow_up_ids = fields.pop("follow_ups", None)
    typed_over = False
    for name in ("target_group", "actual"):
        if name in fields:
            value = _people(fields[name], name)
            if value != getattr(result, name):
                typed_over = True
            setattr(result, name, value)
    for name in SERVICE_TEXTS:
        if name in fields:
            label = _label(PkpServiceResult, name)
            try:
                setattr(result, name, clean_text(fields[name], label=label))
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
    if typed_over and result.from_data:
        result.from_data = False
        result.data_note = ""
    follow_ups = None
    if follow_up_ids is not None:
        follow_ups = _own_follow_ups(assessment, follow_up_ids)
    save_versioned(
        result,
        by=by,
        version=version,
        fields=["target_group", "actual", *SERVICE_TEXTS],
    )
    if follow_ups is not None:
        result.follow_ups.set(follow_ups)
    _touch(assessment, by)
    audit.record(
        assessment,
        action=Action.SAVED,
        by=by,
        data={"item": result.item.code if result.item_id else None},
    )
    recompute(assessment)
    return result


def _own_follow_ups(assessment: PkpAssessment, ids: Iterable[object]) -> list:
    """The RTL items of the puskesmas's meetings with these ids; another area's is refused."""
    from workshops.models import FollowUp

    try:
        wanted = {int(str(pk)) for pk in ids if str(pk).strip()}
    except ValueError:
        raise ValidationError({"follow_ups": _("Choose RTL items from the list.")}) from None
    found = list(
        FollowUp.objects.filter(pk__in=wanted, meeting__puskesmas_id=assessment.puskesmas_id)
    )
    if len(found) != len(wanted):
        raise ValidationError(
            {"follow_ups": _("Only RTL items of this puskesmas's meetings can be linked.")}
        )
    return found


@transaction.atomic
def save_self_score(
    *, score: PkpScore, by: User, version: int | None, self_score: object, self_note: object
) -> PkpScore:
    """The puskesmas's own score of a management item (one of the item's levels) and evidence."""
    assessment = _locked_assessment(score.assessment_id)
    _check_fill(by, assessment.puskesmas)
    _check_editable(assessment)
    levels = list(score.item.levels.values_list("score", flat=True))
    chosen: Decimal | None
    if self_score is None or str(self_score).strip() == "":
        chosen = None
    else:
        try:
            chosen = Decimal(str(self_score).strip())
        except ArithmeticError:
            chosen = Decimal("NaN")
        if not chosen.is_finite() or chosen not in levels:
            raise ValidationError({"self_score": _("Choose one of the item's levels.")})
    note = clean_text(self_note, label=_label(PkpScore, "self_note"))
    if chosen != score.self_score and score.from_data:
        score.from_data = False
        score.data_note = ""
    score.self_score, score.self_note = chosen, note
    save_versioned(score, by=by, version=version, fields=["self_score", "self_note"])
    _touch(assessment, by)
    audit.record(assessment, action=Action.SAVED, by=by, data={"item": score.item.code})
    recompute(assessment)
    return score


# --- Sending it to the Dinkes ---------------------------------------------------------------------


def pkp_submit(*, assessment: PkpAssessment, by: User, version: int | None) -> PkpAssessment:
    """The head sends the PKP to the Dinkes; refused while a management item has no own score."""
    if not can_submit_pkp(by, assessment.puskesmas):
        raise PermissionDenied(_("Only the head of the puskesmas submits its PKP."))
    missing = list(
        assessment.scores.filter(self_score__isnull=True)
        .order_by("item__section__order", "item__order", "item__code")
        .values_list("item__code", flat=True)
    )
    if missing:
        raise ValidationError(
            _("Score every management item first: %(items)s has no own score yet.")
            % {"items": ", ".join(missing)}
        )
    submitted = workflow.review_submit(assessment, by=by, version=version)
    assert isinstance(submitted, PkpAssessment)
    return submitted


# --- Scores and ranks -----------------------------------------------------------------------------


def _lower(first: str, second: str) -> str:
    if not first or not second:
        return ""
    return first if RANK_ORDER.get(first, 0) <= RANK_ORDER.get(second, 0) else second


def recompute(assessment: PkpAssessment) -> PkpAssessment:
    """Store the part scores and ranks: service part the mean % of target of the activities with
    a value; management part the weighted mean of the final (verified, else own) scores; ranks
    from the edition's bands (overall by its own band when the edition has one, else the lower
    of the two)."""
    results = list(
        PkpServiceResult.objects.filter(assessment=assessment)
        .select_related("item")
        .only("target_group", "actual", "item__target_pct")
    )
    service = weighted_mean(
        (Decimal(1), pct) for pct in (result.pct_of_target for result in results)
    )
    management = total_score(
        Scored(
            section_id=row["item__section_id"],
            section_weight=row["item__section__weight"],
            item_weight=row["item__weight"],
            score=row["verified_score"] if row["verified_score"] is not None else row["self_score"],
        )
        for row in PkpScore.objects.filter(assessment=assessment).values(
            "item__section_id",
            "item__section__weight",
            "item__weight",
            "verified_score",
            "self_score",
        )
    )
    bands: dict[str, list[tuple[str, Decimal]]] = {}
    for applies_to, rank, low in RankBand.objects.filter(
        instrument_id=assessment.instrument_id
    ).values_list("applies_to", "rank", "min_value"):
        bands.setdefault(applies_to, []).append((rank, low))
    assessment.service_score = service
    assessment.management_score = management
    assessment.service_rank = rank_for(service, bands.get(RankBand.Applies.SERVICE, []))
    assessment.management_rank = rank_for(management, bands.get(RankBand.Applies.MANAGEMENT, []))
    if bands.get(RankBand.Applies.OVERALL):
        # The mean of both parts on 0-100: management as % of the edition's highest score.
        overall = None
        scale = assessment.instrument.scale_max
        if service is not None and management is not None and scale:
            overall = weighted_mean(((Decimal(1), service), (Decimal(1), management * 100 / scale)))
        assessment.rank = rank_for(overall, bands[RankBand.Applies.OVERALL])
    else:
        assessment.rank = _lower(assessment.service_rank, assessment.management_rank)
    assessment.save(
        update_fields=[
            "service_score",
            "management_score",
            "service_rank",
            "management_rank",
            "rank",
        ]
    )
    return assessment
