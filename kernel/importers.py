"""The kernel's imports, declared on the one pipeline (kernel/imports): service points of the
puskesmas in the user's area, and accounts of the user's area."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .imports import (
    BadCell,
    Choice,
    Code,
    Column,
    Date,
    Importer,
    Integer,
    Lookup,
    Outcome,
    Row,
    SheetSpec,
    Target,
    Text,
    YesNo,
    refusal,
    register,
)
from .imports.schema import text_of
from .models import ImportJob, Puskesmas, ServicePoint, User, Village
from .rights import (
    can_add_service_point,
    can_edit_organisation,
    can_manage_accounts,
    roles_given_by,
)
from .scoping import in_area
from .services import accounts
from .services.organisation import SERVICE_POINT_SHEET, service_point_save
from .spreadsheets import CellError

# The columns of the first service point template (before issue #17's registry columns): a
# file downloaded then is still read, and leaves the registry fields as they are.
SERVICE_POINT_FIRST_COLUMNS = 6


@dataclass(frozen=True)
class ServicePointSheet(SheetSpec):
    """The service point sheet, also accepted in its first layout (without the registry's
    columns)."""

    def check_headings(self, sheet: str, headers: list[object]) -> list[CellError]:
        errors = super().check_headings(sheet, headers)
        if errors and not has_registry_columns(headers):
            first = replace(self, columns=self.columns[:SERVICE_POINT_FIRST_COLUMNS])
            if not first.check_headings(sheet, headers):
                return []
        return errors


def has_registry_columns(headers: list[object]) -> bool:
    return any(text_of(header) for header in headers[SERVICE_POINT_FIRST_COLUMNS:])


def _puskesmas_codes(context_user) -> dict[str, Puskesmas]:
    return {p.code.casefold(): p for p in in_area(Puskesmas.objects.all(), context_user)}


class EstablishedYear(Integer):
    """A year from 1950 to this year."""

    def __init__(self):
        super().__init__(minimum=1950, maximum=2100)

    def __call__(self, value: object, context: Mapping) -> int | None:
        year = super().__call__(value, context)
        if year is not None and year > timezone.localdate().year:
            raise BadCell(_("the year cannot be after this year."))
        return year


@register
class ServicePointsImporter(Importer):
    """Service points of the puskesmas in the user's area: added, or updated by kind and name,
    with their UKBM registry details (issue #17); a posyandu's pustu is named by its name."""

    kind = ImportJob.Kind.SERVICE_POINTS
    sheet = ServicePointSheet(
        title=SERVICE_POINT_SHEET,
        columns=(
            Column(
                "puskesmas",
                gettext_lazy("Puskesmas code"),
                Lookup("puskesmas", gettext_lazy("puskesmas code %(text)s is not in your area.")),
                required=True,
            ),
            Column(
                "kind",
                gettext_lazy("Kind"),
                Choice(ServicePoint.Kind.choices),
                required=True,
            ),
            Column("name", gettext_lazy("Name"), Text(150, multiline=False), required=True),
            Column(
                "village",
                gettext_lazy("Village code"),
                Lookup(
                    "villages",
                    gettext_lazy("village %(text)s is not in this puskesmas's working area."),
                ),
            ),
            Column("address", gettext_lazy("Address"), Text(250)),
            Column("active", gettext_lazy("Active"), YesNo(empty=True)),
            # The UKBM registry (issue #17).
            Column("venue", gettext_lazy("Venue"), Text(150, multiline=False)),
            Column("schedule", gettext_lazy("Schedule"), Text(100, multiline=False)),
            Column("ilp", gettext_lazy("Runs ILP"), YesNo(empty=False)),
            Column("pustu", gettext_lazy("Pustu name"), Text(150, multiline=False)),
            Column("decree_number", gettext_lazy("Decree (SK) number"), Text(100, multiline=False)),
            Column("decree_date", gettext_lazy("Decree date"), Date()),
            Column("established", gettext_lazy("Established in"), EstablishedYear()),
        ),
        max_rows=5_000,
    )
    # Where a refusal of the service point's checks points in the row.
    FIELD_COLUMNS = {
        "village": "village",
        "address": "address",
        "venue": "venue",
        "schedule": "schedule",
        "pustu": "pustu",
        "decree_number": "decree_number",
        "decree_date": "decree_date",
        "established_year": "established",
    }

    def target(self, *, user, params: Mapping) -> Target:
        if not can_add_service_point(user):
            raise PermissionDenied(_("Your role cannot change service points."))
        district_id = user.district_id or (user.puskesmas.district_id if user.puskesmas else None)
        return Target(
            district_id=district_id,
            puskesmas_id=user.puskesmas_id,
            back_url=reverse("kernel:servicepoint-list"),
        )

    def lookups(self, *, user, params, target) -> dict:
        villages = in_area(Village.objects.filter(puskesmas__isnull=False), user)
        return {
            "puskesmas": _puskesmas_codes(user),
            "villages": {v.code.casefold(): v for v in villages},
        }

    def apply(self, *, rows: list[Row], parsed, user, params, target, progress) -> Outcome:
        errors: list[CellError] = []

        def located(row: Row, key: str, problem: str) -> None:
            errors.append(CellError(parsed.sheet, row.number, self.sheet.letter(key), problem))

        registry = has_registry_columns(parsed.headers)
        # Pustu by (puskesmas, name): those of the area, and those the file adds as it goes.
        pustu_of = {
            (p.puskesmas_id, p.name.casefold()): p
            for p in in_area(ServicePoint.objects.filter(kind=ServicePoint.Kind.PUSTU), user)
        }
        saved = 0
        for index, row in enumerate(rows):
            puskesmas, village = row["puskesmas"], row["village"]
            if village is not None and village.puskesmas_id != puskesmas.pk:
                message = _("village %(code)s is not in this puskesmas's working area.")
                located(row, "village", message % {"code": village.code})
                continue
            if not can_edit_organisation(user, ServicePoint(puskesmas=puskesmas)):
                message = _("your role cannot change %(puskesmas)s.")
                located(row, "puskesmas", message % {"puskesmas": puskesmas})
                continue
            pustu = None
            if registry and row["pustu"]:
                pustu = pustu_of.get((puskesmas.pk, row["pustu"].casefold()))
                if pustu is None:
                    message = _("%(puskesmas)s has no pustu named “%(name)s”.")
                    located(row, "pustu", message % {"puskesmas": puskesmas, "name": row["pustu"]})
                    continue
            point = ServicePoint.objects.filter(
                puskesmas=puskesmas, kind=row["kind"], name=row["name"]
            ).first() or ServicePoint(puskesmas=puskesmas, kind=row["kind"], name=row["name"])
            point.village, point.address = village, row["address"]
            point.is_active = row["active"]
            if registry:
                point.venue, point.schedule = row["venue"], row["schedule"]
                point.runs_ilp, point.pustu = bool(row["ilp"]), pustu
                point.decree_number, point.decree_date = row["decree_number"], row["decree_date"]
                point.established_year = row["established"]
            try:
                # The row was read in this transaction: the file's edit is made at its version.
                service_point_save(service_point=point, by=user, version=point.version)
            except ValidationError as error:
                for field, messages in getattr(error, "error_dict", {"": error}).items():
                    key = self.FIELD_COLUMNS.get(field, "name")
                    for message in ValidationError(messages).messages:
                        located(row, key, message)
                continue
            except PermissionDenied as error:
                located(row, "name", str(error))
                continue
            if point.kind == ServicePoint.Kind.PUSTU:
                pustu_of[(puskesmas.pk, point.name.casefold())] = point
            saved += 1
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        summary = ngettext(
            "%(count)s service point saved.", "%(count)s service points saved.", saved
        ) % {"count": saved}
        return Outcome(summary=summary, done=saved)


@register
class AccountsImporter(Importer):
    """Accounts of the user's area, created waiting for their first login; the job page leads
    to the first-login sheet (kernel:user-sheet). Existing usernames are refused, never
    changed: an account is edited on its page."""

    kind = ImportJob.Kind.ACCOUNTS
    result_template = "kernel/_import_result_accounts.html"
    sheet = SheetSpec(
        title=accounts.ACCOUNT_SHEET,
        columns=(
            Column("username", gettext_lazy("Username"), Text(150, multiline=False), required=True),
            Column("name", gettext_lazy("Full name"), Text(150, multiline=False), required=True),
            Column("role", gettext_lazy("Role"), Choice(User.Role.choices), required=True),
            Column("area", gettext_lazy("Area code"), Code(30)),
            Column("email", gettext_lazy("E-mail"), Text(254, multiline=False)),
            Column("phone", gettext_lazy("Phone"), Text(40, multiline=False)),
            Column("position", gettext_lazy("Position"), Text(150, multiline=False)),
        ),
        max_rows=2_000,
    )
    # Where a refusal of the account service points in the row.
    FIELD_COLUMNS = {
        "username": "username",
        "first_name": "name",
        "last_name": "name",
        "email": "email",
        "phone": "phone",
        "position": "position",
        "role": "role",
        "province": "area",
        "district": "area",
        "puskesmas": "area",
    }

    def target(self, *, user, params: Mapping) -> Target:
        if not can_manage_accounts(user):
            raise PermissionDenied(_("Your role cannot give accounts."))
        district_id = user.district_id or (user.puskesmas.district_id if user.puskesmas else None)
        return Target(
            province_id=user.province_id,
            district_id=district_id,
            puskesmas_id=user.puskesmas_id,
            back_url=reverse("kernel:user-list"),
        )

    def apply(self, *, rows: list[Row], parsed, user, params, target, progress) -> Outcome:
        errors: list[CellError] = []

        def located(row: Row, key: str, problem: str) -> None:
            errors.append(CellError(parsed.sheet, row.number, self.sheet.letter(key), problem))

        given = roles_given_by(user)
        seen: set[str] = set()
        created: list[int] = []
        for index, row in enumerate(rows):
            username = row["username"]
            if username.casefold() in seen:
                located(row, "username", _("this username is already in the file."))
                continue
            seen.add(username.casefold())
            if row["role"] not in given:
                located(row, "role", _("your role cannot give this role."))
                continue
            try:
                area = accounts.area_for(by=user, role=row["role"], code=row["area"] or "")
            except ValidationError as error:
                located(row, "area", " ".join(error.messages))
                continue
            if User.objects.filter(username__iexact=username).exists():
                located(row, "username", _("this username is taken."))
                continue
            try:
                with transaction.atomic():
                    account = accounts.account_create(
                        by=user,
                        username=username,
                        role=row["role"],
                        area=area,
                        first_name=row["name"],
                        email=row["email"] or "",
                        phone=row["phone"] or "",
                        position=row["position"] or "",
                        source="import",
                    )
            except ValidationError as error:
                for field, messages in getattr(error, "error_dict", {"": error}).items():
                    key = self.FIELD_COLUMNS.get(field, "username")
                    for message in ValidationError(messages).messages:
                        located(row, key, message)
                continue
            except PermissionDenied as error:
                located(row, "area", str(error))
                continue
            created.append(account.pk)
            progress(index + 1, len(rows))
        if errors:
            raise refusal(errors)
        summary = ngettext(
            "%(count)s account created.", "%(count)s accounts created.", len(created)
        ) % {"count": len(created)}
        return Outcome(summary=summary, done=len(created), details={"accounts": created})
