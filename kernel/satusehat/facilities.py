"""SATUSEHAT facilities of a district, matched to its puskesmas and staged as proposals.

A facility is proposed when it is a puskesmas inside the district (its address's city code is
the district's code); others are listed as skipped. It matches a puskesmas of the district by
code: the puskesmas's SATUSEHAT code, or its Kemenkes (Pusdatin) code among the facility's
other codes. Nothing changes a puskesmas before its proposal is accepted; accepting writes
through the organisation service (kernel.services.organisation.puskesmas_save) as an edit made
at the version the changes were read from.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import (
    AuditEvent,
    District,
    FacilityProposal,
    ImportJob,
    Puskesmas,
    Subdistrict,
    Village,
)
from ..services.organisation import puskesmas_save
from .facility_parsing import FacilityItem
from .rights import can_keep_satusehat

Kind, Status = FacilityProposal.Kind, FacilityProposal.Status
MAX_SKIPPED = 500
# Other codes tried first for a new puskesmas's Kemenkes code (UNVERIFIED system names).
NEW_CODE_SYSTEMS = ("pusdatin_new", "kode_pusdatin_baru", "kemenkes", "pusdatin")


def _shown(value) -> str:
    if value is None or value == "" or value == {}:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return str(value)


def _match(item: FacilityItem, by_satusehat: dict, by_code: dict) -> Puskesmas | None:
    if item.code in by_satusehat:
        return by_satusehat[item.code]
    for code in [*item.other_codes.values(), item.code]:
        if code.casefold() in by_code:
            return by_code[code.casefold()]
    return None


def _changes(puskesmas: Puskesmas, item: FacilityItem, subdistricts: dict) -> list[dict]:
    """The fields the facility would change, old -> new, as text."""
    changes = []

    def differs(field: str, old, new) -> None:
        if old != new:
            changes.append({"field": field, "old": _shown(old), "new": _shown(new)})

    if " ".join(puskesmas.name.split()).casefold() != item.name.casefold():
        differs("name", puskesmas.name, item.name)
    differs("satusehat_code", puskesmas.satusehat_code, item.code)
    differs(
        "other_codes",
        puskesmas.other_codes or {},
        {**(puskesmas.other_codes or {}), **item.other_codes},
    )
    for field in ("latitude", "longitude"):
        new = getattr(item, field)
        if new is not None:
            old = getattr(puskesmas, field)
            differs(field, None if old is None else Decimal(old).quantize(Decimal("0.000001")), new)
    if item.address:
        differs("address", puskesmas.address, item.address)
    subdistrict = subdistricts.get(item.subdistrict_code)
    if subdistrict is not None and subdistrict.pk != puskesmas.subdistrict_id:
        changes.append(
            {"field": "subdistrict", "old": str(puskesmas.subdistrict), "new": str(subdistrict)}
        )
    return changes


def new_code(item: FacilityItem) -> str:
    for system in NEW_CODE_SYSTEMS:
        if item.other_codes.get(system):
            return item.other_codes[system]
    return next(iter(item.other_codes.values()), item.code)


def proposals_stage(*, district: District, job: ImportJob, items: list[FacilityItem]) -> dict:
    """Stage the file's facilities as proposals of `district` (earlier pending ones are
    superseded); returns counts and the skipped facilities. Writes no puskesmas."""
    puskesmas_list = list(Puskesmas.objects.filter(district=district).select_related("subdistrict"))
    by_satusehat = {p.satusehat_code: p for p in puskesmas_list if p.satusehat_code}
    by_code = {p.code.casefold(): p for p in puskesmas_list}
    subdistricts = {s.code: s for s in Subdistrict.objects.filter(district=district)}
    FacilityProposal.objects.filter(district=district, status=Status.PENDING).update(
        status=Status.SUPERSEDED
    )
    skipped: list[dict] = []
    proposals: list[FacilityProposal] = []
    counts = {"new": 0, "changed": 0, "same": 0, "skipped": 0}
    matched: set[int] = set()
    for item in items:
        reason = ""
        if not item.is_puskesmas:
            reason = _("not a puskesmas (%(type)s)") % {"type": item.type_label or "?"}
        elif item.city_code != district.code:
            reason = _("outside the district (city code %(code)s)") % {
                "code": item.city_code or "?"
            }
        if reason:
            counts["skipped"] += 1
            if len(skipped) < MAX_SKIPPED:
                skipped.append({"code": item.code, "name": item.name, "reason": reason})
            continue
        puskesmas = _match(item, by_satusehat, by_code)
        if puskesmas is not None and puskesmas.pk in matched:
            counts["skipped"] += 1
            skipped.append(
                {
                    "code": item.code,
                    "name": item.name,
                    "reason": _("matches %(p)s, already matched") % {"p": puskesmas},
                }
            )
            continue
        proposal = FacilityProposal(
            district=district,
            job=job,
            satusehat_code=item.code,
            name=item.name,
            kemenkes_code=new_code(item)[:20],
            other_codes=item.other_codes,
            latitude=item.latitude,
            longitude=item.longitude,
            address=item.address,
            subdistrict_code=item.subdistrict_code,
            village_code=item.village_code,
            puskesmas=puskesmas,
        )
        if puskesmas is None:
            proposal.kind = Kind.NEW
        else:
            matched.add(puskesmas.pk)
            proposal.puskesmas_version = puskesmas.version
            proposal.changes = _changes(puskesmas, item, subdistricts)
            proposal.kind = Kind.CHANGED if proposal.changes else Kind.SAME
            if not proposal.changes:
                proposal.status = Status.UNCHANGED
        counts[proposal.kind] += 1
        proposals.append(proposal)
    FacilityProposal.objects.bulk_create(proposals, batch_size=500)
    counts["matched"] = len(matched)
    counts["unmatched_puskesmas"] = len(puskesmas_list) - len(matched)
    return {"counts": counts, "skipped": skipped}


def _decide(*, proposal: FacilityProposal, by, status: str) -> int:
    return FacilityProposal.objects.filter(pk=proposal.pk, status=Status.PENDING).update(
        status=status, decided_by=by, decided_at=timezone.now()
    )


def _new_puskesmas(proposal: FacilityProposal) -> Puskesmas:
    subdistrict = None
    if proposal.village_code:
        village = (
            Village.objects.filter(
                code=proposal.village_code, subdistrict__district=proposal.district
            )
            .select_related("subdistrict")
            .first()
        )
        subdistrict = village.subdistrict if village else None
    if subdistrict is None and proposal.subdistrict_code:
        subdistrict = Subdistrict.objects.filter(
            code=proposal.subdistrict_code, district=proposal.district
        ).first()
    if subdistrict is None:
        raise ValidationError(
            _(
                "%(name)s cannot be added: its address's codes (%(codes)s) name no subdistrict "
                "of %(district)s. Import the regions first, or add the puskesmas by hand."
            )
            % {
                "name": proposal.name,
                "codes": proposal.village_code or proposal.subdistrict_code or "-",
                "district": proposal.district,
            }
        )
    if not proposal.kemenkes_code or Puskesmas.objects.filter(code=proposal.kemenkes_code).exists():
        raise ValidationError(
            _("%(name)s cannot be added: a puskesmas with code %(code)s already exists.")
            % {"name": proposal.name, "code": proposal.kemenkes_code or "-"}
        )
    return Puskesmas(
        code=proposal.kemenkes_code,
        district=proposal.district,
        subdistrict=subdistrict,
    )


@transaction.atomic
def proposal_accept(*, proposal: FacilityProposal, by) -> Puskesmas:
    """Apply a pending proposal: create the new puskesmas, or write the changes shown, as an
    edit at the version they were read from; records who and when. All or nothing."""
    if not can_keep_satusehat(by, proposal.district):
        raise PermissionDenied(_("Your role cannot decide SATUSEHAT proposals."))
    if not _decide(proposal=proposal, by=by, status=Status.ACCEPTED):
        raise ValidationError(_("This proposal was already decided."))
    if proposal.kind == Kind.NEW:
        puskesmas = _new_puskesmas(proposal)
        version = None
    else:
        matched = proposal.puskesmas
        if matched is None:
            raise ValidationError(_("The puskesmas of this proposal no longer exists."))
        puskesmas = matched
        version = proposal.puskesmas_version
    fields = (
        {change["field"] for change in proposal.changes}
        if proposal.kind != Kind.NEW
        else {"name", "satusehat_code", "other_codes", "latitude", "longitude", "address"}
    )
    if "name" in fields:
        puskesmas.name = proposal.name
    if "satusehat_code" in fields:
        puskesmas.satusehat_code = proposal.satusehat_code
    if "other_codes" in fields:
        puskesmas.other_codes = {**(puskesmas.other_codes or {}), **proposal.other_codes}
    if "latitude" in fields and proposal.latitude is not None:
        puskesmas.latitude = proposal.latitude
    if "longitude" in fields and proposal.longitude is not None:
        puskesmas.longitude = proposal.longitude
    if "address" in fields and proposal.address:
        puskesmas.address = proposal.address
    if "subdistrict" in fields:
        puskesmas.subdistrict = Subdistrict.objects.get(
            code=proposal.subdistrict_code, district=proposal.district
        )
    puskesmas = puskesmas_save(puskesmas=puskesmas, by=by, version=version)
    if proposal.kind == Kind.NEW:
        FacilityProposal.objects.filter(pk=proposal.pk).update(puskesmas=puskesmas)
        proposal.puskesmas = puskesmas
    audit.record(
        proposal,
        action=AuditEvent.Action.CREATED if proposal.kind == Kind.NEW else AuditEvent.Action.SAVED,
        by=by,
        from_status=Status.PENDING,
        to_status=Status.ACCEPTED,
        data={"satusehat_code": proposal.satusehat_code, "puskesmas": puskesmas.pk},
    )
    return puskesmas


@transaction.atomic
def proposal_reject(*, proposal: FacilityProposal, by) -> None:
    """Leave the puskesmas as it is; records who and when."""
    if not can_keep_satusehat(by, proposal.district):
        raise PermissionDenied(_("Your role cannot decide SATUSEHAT proposals."))
    if not _decide(proposal=proposal, by=by, status=Status.REJECTED):
        raise ValidationError(_("This proposal was already decided."))
    audit.record(
        proposal,
        action=AuditEvent.Action.RETURNED,
        by=by,
        from_status=Status.PENDING,
        to_status=Status.REJECTED,
        data={"satusehat_code": proposal.satusehat_code},
    )


def proposals_accept_all(*, district: District, by) -> tuple[int, list[str]]:
    """Accept every pending proposal of `district`, each on its own (one refusal keeps the
    others); returns how many were applied and the refusals."""
    done, refused = 0, []
    pending = FacilityProposal.objects.filter(district=district, status=Status.PENDING)
    for proposal in pending.select_related("district", "puskesmas").order_by("pk"):
        try:
            proposal_accept(proposal=proposal, by=by)
        except ValidationError as error:
            refused.append(f"{proposal.name}: {' '.join(error.messages)}")
        else:
            done += 1
    return done, refused
