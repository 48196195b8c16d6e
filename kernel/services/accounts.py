"""Accounts within one's area (issue #14): create, change, deactivate and reactivate the
accounts one keeps, first-login links, password change, set and reset.

Rights are kernel.rights' `can_manage_account` (role at or below one's own, area inside one's
own), checked on the account before and after every change; a role or an area posted from
outside what the form offers is refused here. Every change is an audit event on the account
(kernel.audit) with what changed, never a password.

A new account has no usable password and `must_change_password`: its owner sets one through a
first-login link (`first_login_link`), which a planner hands over on paper or by WhatsApp.
Links are not stored: a token signs the account's state (password, last login, active), so a
used link, a deactivated account's or one older than SIMPUL_FIRST_LOGIN_DAYS is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import record, record_many
from ..models import AuditEvent, District, Province, Puskesmas, User
from ..rights import can_manage_account, roles_given_by
from ..scoping import in_area
from ..spreadsheets import Sheet, build_workbook
from ..versioning import created_before, save_edit, save_versioned

Role = User.Role
Area = Province | District | Puskesmas
Action = AuditEvent.Action

# The fields a manager edits on someone's account, and those one edits on one's own.
ACCOUNT_FIELDS = ("first_name", "last_name", "email", "phone", "position")
OWN_FIELDS = ("first_name", "last_name", "email", "phone")
AREA_KINDS: dict[str, type[Province] | type[District] | type[Puskesmas]] = {
    "province": Province,
    "district": District,
    "puskesmas": Puskesmas,
}


# --- First-login links ---------------------------------------------------------------------------


class FirstLoginTokens(PasswordResetTokenGenerator):
    """Django's password-reset tokens, salted apart, valid SIMPUL_FIRST_LOGIN_DAYS days, and
    void once the account is deactivated (or its password or last login changes)."""

    key_salt = "simpul.accounts.first_login"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{int(user.is_active)}"

    @staticmethod
    def days() -> int:
        return int(getattr(settings, "SIMPUL_FIRST_LOGIN_DAYS", 14))

    def check_token(self, user, token) -> bool:
        if not (user and token) or not isinstance(token, str) or len(token) > 100:
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except (ValueError, IndexError):
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= self.days() * 24 * 3600


first_login_tokens = FirstLoginTokens()


@dataclass(frozen=True)
class LoginLink:
    account: User
    path: str  # /account/welcome/<uid>/<token>/; the page makes it absolute
    valid_until: datetime.datetime


def _link(account: User) -> LoginLink:
    token = first_login_tokens.make_token(account)
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    path = reverse("kernel:first-login", kwargs={"uidb64": uid, "token": token})
    until = timezone.now() + datetime.timedelta(days=first_login_tokens.days())
    return LoginLink(account, path, until)


def is_waiting(account: User) -> bool:
    """Made by someone else and never signed in with a password of its own."""
    return account.must_change_password and not account.has_usable_password()


def first_login_link(*, account: User, by: User) -> LoginLink:
    """A new link with which `account`'s owner sets a password (first login, or a forgotten
    password the planner helps with); recorded. Refused for an inactive account."""
    _check(by, account)
    if not account.is_active:
        raise ValidationError(_("This account is deactivated: reactivate it first."))
    if account.is_service_account:  # it never signs in: it acts through its API tokens
        raise ValidationError(_("A service account never signs in: give it an API token."))
    link = _link(account)
    record(
        account,
        action=Action.LOGIN_LINK_ISSUED,
        by=by,
        data={"valid_until": link.valid_until.isoformat()},
    )
    return link


def first_login_links(*, accounts: Iterable[User], by: User) -> list[LoginLink]:
    """Fresh links for the accounts still waiting for their first login that `by` keeps (a
    printed sheet); recorded in one insert. Others are left out."""
    waiting = [
        a
        for a in accounts
        if a.is_active and not a.is_service_account and is_waiting(a) and can_manage_account(by, a)
    ]
    links = [_link(account) for account in waiting]
    record_many(waiting, action=Action.LOGIN_LINK_ISSUED, by=by)
    return links


def link_status(*, account: User) -> dict:
    """What the account page says of first login: waiting or not, and until when the last link
    made is valid (None: no link made, or expired)."""
    last = (
        AuditEvent.objects.filter(
            content_type__app_label="kernel",
            content_type__model="user",
            object_id=account.pk,
            action=Action.LOGIN_LINK_ISSUED,
        )
        .order_by("-at")
        .first()
    )
    valid_until = None
    if last is not None:
        until = last.at + datetime.timedelta(days=first_login_tokens.days())
        if until > timezone.now():
            valid_until = until
    return {
        "waiting": is_waiting(account),
        "last_made": last.at if last else None,
        "valid_until": valid_until,
    }


def whatsapp_url(*, phone: str, text: str) -> str | None:
    """A wa.me link opening WhatsApp on `phone` (Indonesian numbers: 08... becomes 628...)
    with `text` typed in; None without a usable number."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if len(digits) < 8 or len(digits) > 15:
        return None
    return f"https://wa.me/{digits}?text={quote(text)}"


# --- Areas and roles -----------------------------------------------------------------------------


def area_kind_of(role: str) -> str | None:
    return User.ROLE_AREA_FIELD.get(User.Role(role)) if role in User.Role.values else None


def area_for(*, by: User, role: str, code: str) -> Area | None:
    """The province, district or puskesmas of `code` that `role` works in, inside `by`'s
    area; ValidationError otherwise (never says what exists elsewhere)."""
    kind = area_kind_of(role)
    if kind is None:
        return None
    code = (code or "").strip()
    if ":" in code:  # a form's choice: "district:63.08"
        given, code = code.split(":", 1)
        if given != kind:
            raise ValidationError(
                _("This role works in one %(kind)s: choose one.") % {"kind": _kind_word(kind)}
            )
    model = AREA_KINDS[kind]
    found = in_area(model.objects.all(), by).filter(code__iexact=code).first() if code else None
    if found is None:
        raise ValidationError(
            _("%(kind)s code %(code)s is not in your area.")
            % {"kind": _kind_word(kind).capitalize(), "code": code or "–"}
        )
    return found


def _kind_word(kind: str) -> str:
    return str(AREA_KINDS[kind]._meta.verbose_name)


def area_choices(*, by: User, limit: int = 500) -> list[tuple[str, str]] | None:
    """The areas `by` may give an account, as ("kind:code", label) choices; None when there
    are more than `limit` (a system administrator: the form asks for a code instead)."""
    roles = roles_given_by(by)
    kinds = [
        k for k in ("province", "district", "puskesmas") if k in {area_kind_of(r) for r in roles}
    ]
    choices: list[tuple[str, str]] = []
    for kind in kinds:
        rows = in_area(AREA_KINDS[kind].objects.all(), by).order_by("code")
        if rows.count() + len(choices) > limit:
            return None
        word = _kind_word(kind).capitalize()
        choices += [(f"{kind}:{a.code}", f"{word} · {a.name}") for a in rows]
    return choices


def area_value(account: User) -> str:
    kind = area_kind_of(account.role)
    area = account.area if kind else None
    return f"{kind}:{area.code}" if area is not None else ""


def _place(account: User, area: Area | None) -> None:
    account.province = area if isinstance(area, Province) else None
    account.district = area if isinstance(area, District) else None
    account.puskesmas = area if isinstance(area, Puskesmas) else None
    account.is_staff = account.is_superuser = account.role == Role.SYSTEM_ADMIN


def _check(by: User, account: User) -> None:
    if not can_manage_account(by, account):
        raise PermissionDenied(_("You cannot change this account."))


def _check_role(by: User, role: str) -> None:
    if role not in roles_given_by(by):
        raise ValidationError({"role": _("You cannot give this role.")})


def _shown(account: User) -> dict:
    return {
        "username": account.username,
        "name": account.get_full_name(),
        "email": account.email,
        "phone": account.phone,
        "position": account.position,
        "role": account.role,
        "area": str(account.area) if account.area else "",
    }


def _clean(account: User) -> None:
    account.full_clean(exclude=["password", "version", "updated_by", "updated_at"])


# --- Writes --------------------------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    by: User,
    username: str,
    role: str,
    area: Area | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    position: str = "",
    token=None,
    source: str = "form",
) -> User:
    """Create an account `by` keeps, with no usable password, waiting for its first login;
    once per form token (a repeat returns the first). Refused outside `by`'s role and area."""
    if earlier := created_before(token=token, by=by, model=User):
        return earlier
    _check_role(by, role)
    account = User(
        username=username.strip(),
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        position=position.strip(),
        must_change_password=True,
    )
    _place(account, area)
    _check(by, account)
    account.set_unusable_password()
    _clean(account)
    try:
        with transaction.atomic():
            account = save_edit(account, by=by, version=None, token=token)
    except IntegrityError as error:
        raise ValidationError({"username": _("This username is taken.")}) from error
    record(
        account, action=Action.ACCOUNT_CREATED, by=by, data={**_shown(account), "source": source}
    )
    return account


@transaction.atomic
def account_update(
    *,
    account: User,
    by: User,
    version: int | None,
    role: str,
    area: Area | None,
    **fields: str,
) -> User:
    """Change someone's name, e-mail, phone, position, role and area, as an edit made at
    `version` (StaleEdit when someone saved since); nobody changes their own role or area."""
    _check(by, account)
    before = _shown(account)
    if account.pk == by.pk and (role != account.role or area != account.area):
        raise ValidationError(_("You cannot change your own role or area."))
    if role != account.role:
        _check_role(by, role)
    for name in ACCOUNT_FIELDS:
        if name in fields:
            setattr(account, name, (fields[name] or "").strip())
    account.role = role
    _place(account, area)
    _check(by, account)  # where it goes is inside `by`'s area too
    _clean(account)
    save_versioned(account, by=by, version=version, fields=[*ACCOUNT_FIELDS, "role"])
    after = _shown(account)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        record(account, action=Action.ACCOUNT_CHANGED, by=by, data={"changed": changed})
    return account


@transaction.atomic
def own_account_update(*, user: User, version: int | None, **fields: str) -> User:
    """One's own name, e-mail and phone, as a versioned edit; recorded."""
    before = _shown(user)
    for name in OWN_FIELDS:
        if name in fields:
            setattr(user, name, (fields[name] or "").strip())
    _clean(user)
    save_versioned(user, by=user, version=version, fields=list(OWN_FIELDS))
    after = _shown(user)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        record(user, action=Action.ACCOUNT_CHANGED, by=user, data={"changed": changed})
    return user


def _set_active(*, account: User, by: User, reason: str, active: bool) -> User:
    _check(by, account)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason."))
    if account.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        if not User.objects.filter(pk=account.pk, is_active=not active).update(is_active=active):
            raise ValidationError(
                _("This account is already active.")
                if active
                else _("This account is already deactivated.")
            )
        account.is_active = active
        record(
            account,
            action=Action.REACTIVATED if active else Action.DEACTIVATED,
            by=by,
            reason=reason,
        )
    return account


def account_deactivate(*, account: User, by: User, reason: str) -> User:
    """Close an account (someone who left): it can no longer log in, its links are void."""
    return _set_active(account=account, by=by, reason=reason, active=False)


def account_reactivate(*, account: User, by: User, reason: str) -> User:
    return _set_active(account=account, by=by, reason=reason, active=True)


@transaction.atomic
def password_set(*, user: User, password: str, action: str = Action.PASSWORD_SET) -> User:
    """Give `user` the password they chose (first login, a reset by e-mail, a change): the
    form has validated it. Clears `must_change_password`; recorded, without the password."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(user, action=action, by=user)
    return user


def password_change(*, user: User, password: str) -> User:
    return password_set(user=user, password=password, action=Action.PASSWORD_CHANGED)


def password_reset_done(*, user: User) -> User:
    """After Django's reset form saved the password: clear the gate and record it."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        record(user, action=Action.PASSWORD_RESET, by=user)
    return user


def accounts_of(*, ids: Iterable[int], by: User):
    """Accounts by id that `by` sees (for a sheet), with their areas."""
    return (
        in_area(User.objects.filter(pk__in=list(ids)), by)
        .select_related("province", "district", "puskesmas")
        .order_by("puskesmas__name", "district__name", "last_name", "first_name", "username")
    )


def shown_values(account: User) -> Mapping:
    return _shown(account)


# --- Accounts from an Excel template -------------------------------------------------------------

ACCOUNT_SHEET = "Accounts"
AREA_SHEET = gettext_lazy("Area codes")
ACCOUNT_COLUMNS = [
    gettext_lazy("Username"),
    gettext_lazy("Full name"),
    gettext_lazy("Role"),
    gettext_lazy("Area code"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone"),
    gettext_lazy("Position"),
]


def account_template(*, by: User) -> bytes:
    """The accounts template: one example row, and a second sheet listing the roles `by`
    gives and the codes of the areas inside `by`'s area."""
    roles = roles_given_by(by)
    labels = dict(Role.choices)
    example_role = roles[-1] if roles else Role.PUSKESMAS_STAFF
    kind = area_kind_of(example_role)
    example_area = (
        in_area(AREA_KINDS[kind].objects.all(), by).order_by("code").first() if kind else None
    )
    rows = [
        [
            "budi.santoso",
            "Budi Santoso",
            str(labels[example_role]),
            example_area.code if example_area else "",
            "",
            "0812 3456 7890",
            _("Programme officer"),
        ]
    ]
    codes: list[list[object]] = [[str(labels[role]), "", ""] for role in roles]
    for kind in ("province", "district", "puskesmas"):
        if kind not in {area_kind_of(r) for r in roles}:
            continue
        word = _kind_word(kind).capitalize()
        for area in in_area(AREA_KINDS[kind].objects.all(), by).order_by("code")[:5000]:
            codes.append(["", f"{word}: {area.name}", area.code])
    more = [
        Sheet(
            title=str(AREA_SHEET),
            headers=[
                str(gettext_lazy("Role")),
                str(gettext_lazy("Area")),
                str(gettext_lazy("Area code")),
            ],
            rows=codes,
        )
    ]
    headers = [str(header) for header in ACCOUNT_COLUMNS]
    return build_workbook(sheet=ACCOUNT_SHEET, headers=headers, rows=rows, more=more)
