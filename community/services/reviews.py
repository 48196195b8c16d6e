"""The yearly self-reliance review of a posyandu and of a desa/kelurahan siaga aktif (issue #17,
must-have 2): opened and filled by the puskesmas, checked by the district.

- `posyandu_review_open` / `village_review_open`: the review of a year, created as a draft on
  first open with the edition of the criteria that applies to the year (refused when there is
  none); idempotent.
- `review_save`: the figures, versioned (kernel.versioning: a save over a newer version is
  refused with who saved and both values), each checked (counts 0 or more, percentages 0-100);
  every save places the review again by its edition's criteria (community/rules.place): its
  stratum, whether it is active and the criteria it misses are stored with it. A desa's
  posyandu and other UKBM are counted from the registry and the year's posyandu reviews.
- `review_submit` / `review_return` / `review_approve` / `review_reopen`: the shared workflow
  (kernel/reviews.py) after this app's rights (community/rights.py).

Every step is an audit event; every write a simple-history row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import audit
from kernel import reviews as workflow
from kernel.models import AuditEvent, ServicePoint, User, Village
from kernel.versioning import save_versioned

from ..models import PosyanduReview, UkbmStandard, VillageReview
from ..rights import can_check_review, can_fill_review
from ..rules import place
from ..selectors.reviews import village_counts

Action = AuditEvent.Action
Review = PosyanduReview | VillageReview
Subject = UkbmStandard.Subject

# The figures the puskesmas types, per kind of review (the model's fields).
POSYANDU_FIGURES = (
    "sessions_held",
    "active_cadres",
    "weighing_coverage",
    "kia_coverage",
    "kb_coverage",
    "immunisation_coverage",
    "extra_programmes",
    "fund_coverage",
)
VILLAGE_FIGURES = (
    "forum_meetings",
    "active_cadres",
    "daily_access",
    "village_funding",
    "community_activities",
    "phbs_households",
)
# A desa's posyandu and other UKBM: counted, never typed.
VILLAGE_COUNTED = ("posyandu_count", "active_posyandu", "ukbm_count")
PERCENT_FIGURES = {
    "weighing_coverage",
    "kia_coverage",
    "kb_coverage",
    "immunisation_coverage",
    "fund_coverage",
    "phbs_households",
}
YES_NO_FIGURES = {"daily_access", "village_funding"}
MAX_COUNT = 32_767  # PositiveSmallIntegerField
NOTE_LENGTH = 2_000
HUNDRED = Decimal(100)


def subject_of(review: Review) -> str:
    return Subject.POSYANDU if isinstance(review, PosyanduReview) else Subject.VILLAGE


def figures_of(review_or_model) -> tuple[str, ...]:
    model = review_or_model if isinstance(review_or_model, type) else type(review_or_model)
    return POSYANDU_FIGURES if model is PosyanduReview else VILLAGE_FIGURES


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


# --- Checking typed values ----------------------------------------------------------------------


def clean_text(text: object) -> str:
    """A note as typed, without control characters (a pasted NUL byte)."""
    cleaned = "".join(
        ch for ch in str(text or "") if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    )
    return cleaned.strip()


def _number(raw: object) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError
    text = str(raw).strip().replace(" ", "").removesuffix("%")
    if text == "":
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if len(text) > 20:
        raise ValueError
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError) as error:
        raise ValueError from error
    if not number.is_finite():
        raise ValueError
    return number


def clean_figure(model, name: str, raw: object):
    """One typed figure of a review: None when blank; a count 0 or more, a percentage 0-100
    (two decimals at most), yes/no. ValidationError naming the figure otherwise."""
    label = _label(model, name)
    if name in YES_NO_FIGURES:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().casefold()
        if text in {"1", "true", "yes", "ya", "y"}:
            return True
        if text in {"0", "false", "no", "tidak", "t", "n"}:
            return False
        raise ValidationError({name: _("%(label)s: answer yes or no.") % {"label": label}})
    try:
        number = _number(raw)
    except ValueError as error:
        raise ValidationError({name: _("%(label)s: not a number.") % {"label": label}}) from error
    if number is None:
        return None
    if number < 0:
        raise ValidationError({name: _("%(label)s cannot be negative.") % {"label": label}})
    if name in PERCENT_FIGURES:
        if number > HUNDRED:
            raise ValidationError(
                {name: _("%(label)s: a percentage is at most 100.") % {"label": label}}
            )
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError({name: _("%(label)s: at most two decimals.") % {"label": label}})
        return number.quantize(Decimal("0.01"))
    if number != number.to_integral_value():
        raise ValidationError({name: _("%(label)s: a whole number.") % {"label": label}})
    if number > MAX_COUNT:
        raise ValidationError({name: _("%(label)s is implausibly large.") % {"label": label}})
    return int(number)


def clean_figures(model, values: Mapping[str, object]) -> dict:
    """The typed figures of `values` (only the model's figures are read), every problem at
    once (ValidationError with a message per figure)."""
    cleaned, problems = {}, {}
    for name in figures_of(model):
        if name not in values:
            continue
        try:
            cleaned[name] = clean_figure(model, name, values[name])
        except ValidationError as error:
            problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    return cleaned


# --- Placing a review ---------------------------------------------------------------------------


def review_place(review: Review) -> Review:
    """Set the review's stratum, whether it is active and the criteria it misses, from its
    figures and its edition's criteria (a desa's posyandu counted first). Not saved."""
    if isinstance(review, VillageReview):
        for name, count in village_counts(village=review.village_id, year=review.year).items():
            setattr(review, name, count)
    placement = place(review, list(review.standard.criteria.all()))
    review.stratum = placement.stratum
    review.shortfalls = [shortfall.as_json() for shortfall in placement.shortfalls]
    if isinstance(review, PosyanduReview):
        review.is_active_posyandu = placement.is_active
    else:
        review.is_siaga_aktif = placement.stratum != ""
    return review


# --- Opening a review ---------------------------------------------------------------------------


def _year(year: object) -> int:
    try:
        year = int(str(year).strip()[:6])
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose a year.")) from error
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError(_("A year's review can be opened from that year on."))
    return year


def _standard(subject: str, year: int) -> UkbmStandard:
    standard = UkbmStandard.for_year(subject, year)
    if standard is None:
        raise ValidationError(
            _("There are no review criteria for %(year)s yet: ask your system administrator.")
            % {"year": year}
        )
    return standard


def _open(existing, make, *, by: User, place_on: object) -> Review:
    if existing is not None:
        return existing
    if not can_fill_review(by, place_on):
        raise PermissionDenied(_("Only the puskesmas's own staff can open its reviews."))
    review = make()
    review.full_clean(exclude=["updated_by", "updated_at", "version", "standard"])
    review_place(review)
    try:
        with transaction.atomic():
            save_versioned(review, by=by, version=None)
            audit.record(review, action=Action.CREATED, by=by, to_status=review.status)
    except IntegrityError:  # opened at the same moment by a colleague: theirs
        return type(review).objects.get(**review_key(review))
    return review


def review_key(review: Review) -> dict:
    if isinstance(review, PosyanduReview):
        return {"service_point_id": review.service_point_id, "year": review.year}
    return {"village_id": review.village_id, "year": review.year}


def posyandu_review_open(*, service_point: ServicePoint, year: object, by: User) -> PosyanduReview:
    """The posyandu's review of `year`, created as a draft on first open by its puskesmas's
    staff; idempotent. Refused for a service point that is no posyandu, a year to come or a
    year without criteria."""
    year = _year(year)
    if service_point.kind != ServicePoint.Kind.POSYANDU:
        raise ValidationError(_("Only a posyandu has this review."))
    existing = PosyanduReview.objects.filter(service_point=service_point, year=year).first()
    if existing is None:
        standard = _standard(Subject.POSYANDU, year)
    review = _open(
        existing,
        lambda: PosyanduReview(
            service_point=service_point,
            puskesmas_id=service_point.puskesmas_id,
            year=year,
            standard=standard,
        ),
        by=by,
        place_on=service_point,
    )
    assert isinstance(review, PosyanduReview)
    return review


def village_review_open(*, village: Village, year: object, by: User) -> VillageReview:
    """The desa's siaga aktif review of `year`, created as a draft on first open by the staff
    of the puskesmas whose working area holds it; idempotent."""
    year = _year(year)
    if village.puskesmas_id is None:
        raise ValidationError(_("This desa is in no puskesmas's working area."))
    existing = VillageReview.objects.filter(village=village, year=year).first()
    if existing is None:
        standard = _standard(Subject.VILLAGE, year)
    review = _open(
        existing,
        lambda: VillageReview(
            village=village, puskesmas_id=village.puskesmas_id, year=year, standard=standard
        ),
        by=by,
        place_on=village,
    )
    assert isinstance(review, VillageReview)
    return review


# --- Saving figures -----------------------------------------------------------------------------


def _require_filler(review: Review, by: User) -> None:
    if not can_fill_review(by, review):
        raise PermissionDenied(_("Only the puskesmas's own staff can fill its reviews."))


def _require_checker(review: Review, by: User) -> None:
    if not can_check_review(by, review):
        raise PermissionDenied(_("Only the district's planners can do this."))


def _require_editable(review: Review) -> None:
    if not review.is_editable:
        raise ValidationError(
            _("This review is %(status)s: it can no longer be changed.")
            % {"status": str(review.get_status_display()).lower()}
        )


@transaction.atomic
def review_save(
    *,
    review: Review,
    values: Mapping[str, object],
    version: int | None,
    by: User,
    action: str = Action.SAVED,
) -> Review:
    """Save the review's figures (and its note, when given) as an edit made at `version`, and
    place it again. Refused: not the puskesmas's own staff, not editable, a bad figure, or
    (StaleEdit, nothing saved) someone saved since `version`. One audit event."""
    _require_filler(review, by)
    _require_editable(review)
    figures = clean_figures(type(review), values)
    fields = list(figures)
    for name, value in figures.items():
        setattr(review, name, value)
    if "note" in values:
        note = clean_text(values["note"])
        if len(note) > NOTE_LENGTH:
            raise ValidationError(
                {
                    "note": _("The note is too long (at most %(max)s characters).")
                    % {"max": NOTE_LENGTH}
                }
            )
        review.note = note
        fields.append("note")
    review_place(review)
    save_versioned(review, by=by, version=version, fields=fields)
    audit.record(
        review,
        action=action,
        by=by,
        data={"version": review.version, "stratum": review.stratum},
    )
    return review


# --- Workflow -----------------------------------------------------------------------------------


def missing_figures(review: Review) -> list[str]:
    """The figures not entered yet (their labels)."""
    model = type(review)
    return [_label(model, name) for name in figures_of(review) if getattr(review, name) is None]


@transaction.atomic
def review_submit(*, review: Review, by: User, version: int | None = None) -> Review:
    """Submit a draft or returned review to the district; refused until every figure is
    entered, and when it changed since `version`."""
    _require_filler(review, by)
    missing = missing_figures(review)
    if missing:
        raise ValidationError(
            _("Enter every figure before submitting: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    workflow.review_submit(review, by=by, version=version)
    return review


@transaction.atomic
def review_return(*, review: Review, by: User, reason: str, version: int | None = None) -> Review:
    """Send a submitted review back to the puskesmas with the reason (required)."""
    _require_checker(review, by)
    workflow.review_return(review, by=by, reason=clean_text(reason), version=version)
    return review


@transaction.atomic
def review_approve(*, review: Review, by: User, version: int | None = None) -> Review:
    """Approve a submitted review: its stratum counts from now on."""
    _require_checker(review, by)
    workflow.review_approve(review, by=by, version=version)
    _indicators_later(review)
    return review


@transaction.atomic
def review_reopen(*, review: Review, by: User, reason: str, version: int | None = None) -> Review:
    """Open an approved review for the puskesmas again, with the reason (required)."""
    _require_checker(review, by)
    workflow.review_reopen(review, by=by, reason=clean_text(reason), version=version)
    _indicators_later(review)
    return review


def _indicators_later(review: Review) -> None:
    """The province's UKBM indicators of the review's year, recomputed once this commits: an
    approved (or reopened) review moves the strata they count."""
    from .indicators import ukbm_indicators_refresh_later

    ukbm_indicators_refresh_later(review.year, province_id=review.puskesmas.district.province_id)


STEPS = {
    "submit": lambda review, by, version, reason: review_submit(
        review=review, by=by, version=version
    ),
    "return": lambda review, by, version, reason: review_return(
        review=review, by=by, reason=reason, version=version
    ),
    "approve": lambda review, by, version, reason: review_approve(
        review=review, by=by, version=version
    ),
    "reopen": lambda review, by, version, reason: review_reopen(
        review=review, by=by, reason=reason, version=version
    ),
}


def review_step(
    *, review: Review, step: str, by: User, version: int | None = None, reason: str = ""
) -> Review:
    """One workflow step by name (a page's button): submit, return, approve or reopen."""
    call = STEPS.get(step)
    if call is None:
        raise ValidationError(_("Unknown step."))
    return call(review, by, version, reason)
