"""Notifications (issue #15): every app declares what it tells whom; the kernel delivers.

- `notify(recipients, *, kind, title, url, body, obj, key)`: one in-app Notification per
  recipient who may see `obj`'s area (nothing is ever sent about another area), at most one
  per recipient and `key`; those who want e-mail at once get it after the commit (a Celery task).
- `on_event(model, action, *, kind, recipients, title, url, body)`: "when an AuditEvent with
  this action is recorded about an object of this model, notify these people". Every event
  written through `kernel.audit.record` / `transition` is matched (a post_save receiver);
  whoever did the step is not told about it.
- `scan_register(name, fn)`: a daily scan, `fn(today) -> iterable of Notice` (deadlines, items
  due or overdue), run by Celery beat (`kernel.tasks.notifications_daily`) before the daily
  digest e-mail of everyone who prefers one.

Apps declare in their own `notifying.py`, imported in their AppConfig.ready(): the kernel
imports none of them. Titles, texts and links may be callables (of the object and the event,
or none for `notify`), evaluated in the recipient's language.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_save
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AuditEvent, Notification, User
from .scoping import in_area, is_national
from .selectors.notifications import notifications_of
from .versioning import save_versioned

logger = logging.getLogger(__name__)

AREA_KEYS = ("province_id", "district_id", "puskesmas_id")
Text = Any  # a str, a lazy string, or a callable giving one


# --- Who ------------------------------------------------------------------------------------


def people_of_puskesmas(puskesmas_id: int | None) -> models.QuerySet[User]:
    """The active head and staff of a puskesmas (none for no puskesmas)."""
    if puskesmas_id is None:
        return User.objects.none()
    return User.objects.filter(
        puskesmas_id=puskesmas_id,
        role__in=[User.Role.PUSKESMAS_HEAD, User.Role.PUSKESMAS_STAFF],
        is_active=True,
        is_service_account=False,  # issue #19: no person reads its inbox
    )


def planners_of_district(district_id: int | None) -> models.QuerySet[User]:
    """The active planners of a district's health office."""
    if district_id is None:
        return User.objects.none()
    return User.objects.filter(
        district_id=district_id,
        role=User.Role.DISTRICT_PLANNER,
        is_active=True,
        is_service_account=False,  # issue #19: no person reads its inbox
    )


def reviewers_of_province(province_id: int | None) -> models.QuerySet[User]:
    """The active reviewers of a province."""
    if province_id is None:
        return User.objects.none()
    return User.objects.filter(
        province_id=province_id,
        role=User.Role.PROVINCE_REVIEWER,
        is_active=True,
        is_service_account=False,  # issue #19: no person reads its inbox
    )


def language_of(user: User) -> str:
    """The language a person reads their notifications in: theirs if the account keeps one,
    else the site's (Indonesian)."""
    code = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- Where ----------------------------------------------------------------------------------


def area_of(obj: models.Model | None) -> dict[str, int | None] | None:
    """The province, district and puskesmas ids of `obj` (its `audit_area()`, else read along
    its model's `area_paths` without a query where they are plain foreign keys); None when
    they cannot be told that way (then the area is checked with in_area)."""
    if obj is None:
        return {key: None for key in AREA_KEYS}
    if hasattr(obj, "audit_area"):
        area = obj.audit_area()
        return {key: area.get(key) for key in AREA_KEYS}
    paths = getattr(type(obj), "area_paths", None)
    if not paths:
        return None
    found: dict[str, int | None] = {}
    for kind in ("province", "district", "puskesmas"):
        lookups = paths.get(kind)
        lookups = (lookups,) if isinstance(lookups, str) else tuple(lookups or ())
        value = None
        for lookup in lookups:
            try:
                value = _follow(obj, lookup)
            except (AttributeError, LookupError):
                return None
            if value is not None:
                break
        found[f"{kind}_id"] = value
    return found


def _follow(obj: models.Model, lookup: str) -> int | None:
    """The id at the end of a forward lookup (`meeting__puskesmas`) of `obj`."""
    *hops, last = lookup.split("__")
    current: Any = obj
    for hop in hops:
        field = current._meta.get_field(hop)
        if not field.many_to_one and not field.one_to_one:
            raise LookupError(lookup)
        current = getattr(current, hop)
        if current is None:
            return None
    if last == "pk":
        return current.pk
    field = current._meta.get_field(last)
    if not field.many_to_one and not field.one_to_one:
        raise LookupError(lookup)
    return getattr(current, field.attname)


def may_see(user: User, obj: models.Model | None, area: dict[str, int | None] | None) -> bool:
    """Whether `user` may be told about `obj`: it lies inside their area (kernel.scoping)."""
    if is_national(user):
        return True
    if obj is None:
        return True
    if area is None:  # no ids to compare: ask the scoping helper
        return in_area(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
    fields = {str(role): name for role, name in User.ROLE_AREA_FIELD.items()}
    kind = fields.get(user.role)
    if kind is None:
        return False
    own = getattr(user, f"{kind}_id")
    if own is None:
        return False
    if area.get(f"{kind}_id") == own:
        return True
    if area.get(f"{kind}_id") is None and hasattr(type(obj), "area_paths"):
        # Above the user's level (a district's targets for its puskesmas): the model says.
        return in_area(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
    return False


def is_local(url: str) -> bool:
    """A path on this site (never another host): the only links a notification opens."""
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def absolute(url: str) -> str:
    """The link as e-mails and the WhatsApp text carry it: SIMPUL_SITE_URL + the local path."""
    base = getattr(settings, "SIMPUL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + (url if is_local(url) else "/inbox/")


# --- Writing --------------------------------------------------------------------------------


def _say(text: Text, *args: Any) -> str:
    value = text(*args) if callable(text) else text
    return str(value or "")


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: Text,
    url: Text = "",
    body: Text = "",
    obj: models.Model | None = None,
    key: str | None = None,
    _args: tuple = (),
) -> list[Notification]:
    """Tell each recipient who may see `obj`'s area, once per `key`; atomic. Those who want
    e-mail at once get it after the commit. Returns the notifications made (none repeated)."""
    area = area_of(obj)
    people = {user.pk: user for user in recipients if user.is_active}
    people = {pk: user for pk, user in people.items() if may_see(user, obj, area)}
    if not people:
        return []
    key = (key or "")[:200]
    if key:
        told = Notification.objects.filter(recipient_id__in=people, key=key)
        for pk in told.values_list("recipient_id", flat=True):
            people.pop(pk, None)
    if not people:
        return []
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    where = area or {}
    now = timezone.now()
    made = []
    for user in people.values():
        with translation.override(language_of(user)):
            link = _say(url, *_args)
            made.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    title=_say(title, *_args)[:200],
                    body=_say(body, *_args),
                    url=link if is_local(link) else "",
                    content_type=content_type,
                    object_id=obj.pk if obj is not None else None,
                    created_at=now,
                    key=key,
                    **{name: where.get(name) for name in AREA_KEYS},
                )
            )
    try:
        with transaction.atomic():
            made = Notification.objects.bulk_create(made)
    except IntegrityError:  # the same key made concurrently: keep whichever came first
        kept = []
        for row in made:
            try:
                with transaction.atomic():
                    row.save()
                kept.append(row)
            except IntegrityError:
                continue
        made = kept
    at_once = [
        row.pk
        for row in made
        if row.recipient.email
        and row.recipient.email_notifications == User.EmailNotifications.IMMEDIATELY
    ]
    if at_once:
        transaction.on_commit(lambda: _send_later(at_once))
    return made


def _send_later(ids: list[int]) -> None:
    from .tasks import notifications_email

    notifications_email.delay(ids)


# --- Rules on audit events -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str
    recipients: Callable[[Any, AuditEvent], Iterable[User]]
    title: Text
    url: Text
    body: Text = None


_rules: dict[tuple[str, str], list[Rule]] = defaultdict(list)


def _label(model: type[models.Model] | str) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def on_event(
    model: type[models.Model] | str,
    action: str,
    *,
    kind: str,
    recipients: Callable[[Any, AuditEvent], Iterable[User]],
    title: Text,
    url: Text,
    body: Text = None,
) -> None:
    """Declare: when `action` is recorded about a `model` object, notify `recipients(obj,
    event)` with `title`, `url`, `body` (strings or callables of obj and event). Declaring the
    same rule twice (a reloaded module) keeps one."""
    rule = Rule(kind=kind, recipients=recipients, title=title, url=url, body=body)
    rules = _rules[(_label(model), str(action))]
    if not any(old.kind == kind for old in rules):
        rules.append(rule)


def rules_for(model: type[models.Model] | str, action: str) -> list[Rule]:
    return list(_rules.get((_label(model), str(action)), ()))


def event_recorded(event: AuditEvent) -> list[Notification]:
    """Run the rules matching `event` (each in its own savepoint: a failing rule is logged,
    never undoes the step it is about)."""
    label = f"{event.content_type.app_label}.{event.content_type.model}"
    rules = _rules.get((label, event.action))
    if not rules:
        return []
    obj = event.obj
    if obj is None:
        return []
    made: list[Notification] = []
    for rule in rules:
        try:
            with transaction.atomic():
                people = [
                    user
                    for user in rule.recipients(obj, event)
                    if event.by_id is None or user.pk != event.by_id
                ]
                made += notify(
                    people,
                    kind=rule.kind,
                    title=rule.title,
                    url=rule.url,
                    body=rule.body or "",
                    obj=obj,
                    key=f"event:{event.pk}:{rule.kind}",
                    _args=(obj, event),
                )
        except Exception:
            logger.exception("notification rule %s failed for event %s", rule.kind, event.pk)
    return made


def _on_audit_event(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        event_recorded(instance)


def signals_connect() -> None:
    """Match every audit event written one by one (record, transition) against the rules."""
    post_save.connect(_on_audit_event, sender=AuditEvent, dispatch_uid="notifications-audit")


# --- Daily scans ----------------------------------------------------------------------------


@dataclass
class Notice:
    """What a daily scan wants said: to whom, what, where it is done, about what, once per key."""

    recipients: Iterable[User]
    kind: str
    title: Text
    url: Text = ""
    obj: models.Model | None = None
    key: str | None = None
    body: Text = ""
    extra: dict = field(default_factory=dict)


_scans: dict[str, Callable[[Any], Iterable[Notice]]] = {}


def scan_register(name: str, fn: Callable[[Any], Iterable[Notice]]) -> None:
    """Declare a daily scan: `fn(today)` yields the Notices of the day (keys keep a notice
    from repeating on the next days)."""
    _scans[name] = fn


def scans_run(today=None) -> dict[str, int]:
    """Run every daily scan for `today`; each in its own transaction, a failing one is logged
    and the others still run. Idempotent by the notices' keys. Returns notifications made per
    scan."""
    today = today or timezone.localdate()
    made: dict[str, int] = {}
    for name, fn in sorted(_scans.items()):
        try:
            with transaction.atomic():
                count = 0
                for notice in fn(today):
                    count += len(
                        notify(
                            notice.recipients,
                            kind=notice.kind,
                            title=notice.title,
                            url=notice.url,
                            body=notice.body,
                            obj=notice.obj,
                            key=notice.key,
                        )
                    )
                made[name] = count
        except Exception:
            logger.exception("notification scan %s failed", name)
            made[name] = -1
    return made


# --- E-mail ---------------------------------------------------------------------------------


def _send(user: User, subject: str, template: str, context: dict) -> None:
    with translation.override(language_of(user)):
        context = {"user": user, "site_url": absolute("/").rstrip("/"), **context}
        text = render_to_string(f"kernel/email/{template}.txt", context)
        html = render_to_string(f"kernel/email/{template}.html", context)
        message = EmailMultiAlternatives(
            subject=" ".join(str(subject).split())[:200],
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        message.attach_alternative(html, "text/html")
        message.send()


def _claim(ids: list[int]) -> int:
    """Mark these notifications e-mailed unless another run did: one conditional update."""
    return Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


def notifications_email(ids: Iterable[int]) -> int:
    """E-mail these notifications one by one to those who want them at once; each at most once
    (claimed before sending, released if the mail fails). Returns the e-mails sent."""
    rows = (
        Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
        .exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .select_related("recipient")
    )
    sent = 0
    for row in rows:
        if not _claim([row.pk]):
            continue
        try:
            _send(
                row.recipient,
                row.title,
                "notification",
                {"notification": row, "link": absolute(row.url)},
            )
        except Exception:
            Notification.objects.filter(pk=row.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


def digest_send(now=None) -> int:
    """One e-mail per person who prefers the daily digest, listing their unread notifications
    not e-mailed yet; each listed once. Returns the e-mails sent."""
    rows = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .filter(
            recipient__is_active=True,
            recipient__email_notifications=User.EmailNotifications.DAILY,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "-created_at", "-pk")
    )
    per_person: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        per_person[row.recipient_id].append(row)
    sent = 0
    for items in per_person.values():
        user = items[0].recipient
        if not _claim([row.pk for row in items]):
            continue
        try:
            with translation.override(language_of(user)):
                subject = ngettext(
                    "Simpul: %(count)s new notification",
                    "Simpul: %(count)s new notifications",
                    len(items),
                ) % {"count": len(items)}
            _send(
                user,
                subject,
                "digest",
                {
                    "items": [(row, absolute(row.url)) for row in items],
                    "inbox": absolute("/inbox/"),
                },
            )
        except Exception:
            Notification.objects.filter(pk__in=[row.pk for row in items]).update(emailed_at=None)
            logger.exception("digest to user %s failed", user.pk)
            continue
        sent += 1
    return sent


def notifications_daily(today=None) -> dict:
    """The daily run (Celery beat): every scan, then the digest e-mails. Idempotent."""
    scans = scans_run(today)
    return {"scans": scans, "digests": digest_send()}


# --- Reading and preferences ------------------------------------------------------------------


def notification_open(*, user: User, pk: int) -> Notification:
    """Mark one of the user's own notifications read (404 for anyone else's); idempotent."""
    row = notifications_of(user).filter(pk=pk).first()
    if row is None:
        raise Http404
    if row.read_at is None:
        row.read_at = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=row.read_at)
    return row


def notifications_read_all(*, user: User) -> int:
    """Mark every unread notification of the user read; one update. Returns how many."""
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def preferences_save(*, user: User, version: int | None, email_notifications: str) -> User:
    """One's own e-mail preference for notifications, as a versioned edit."""
    if email_notifications not in User.EmailNotifications.values:
        raise ValidationError({"email_notifications": _("Choose one of the options.")})
    user.email_notifications = email_notifications
    return save_versioned(user, by=user, version=version, fields=["email_notifications"])
