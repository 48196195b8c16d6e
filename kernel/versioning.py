"""One way to edit (issue #12, STYLE.md §15 "Edits"): every edit is versioned, every create
happens once.

- `Versioned`: a model mixin with `version`, `updated_by` and `updated_at`.
- `save_versioned(obj, by=, version=, fields=)`: the one write of an edit. Under a row lock it
  refuses a save over a newer version with `StaleEdit`, which says who saved and when and
  holds their values beside the user's; otherwise it saves with the version bumped. A create
  (no pk yet) starts at version 1.
- `create_once(token=, by=, create=)`: a create guarded by the form's one-time token, so a double
  click, a repeated post or two identical concurrent posts create one object and every one of
  them gets it back.
- `VersionedForm` / `OnceForm`: form mixins that carry the version and the token; views pass
  them to services, and `kernel.web.run_service` puts a StaleEdit on the form, where the
  `_stale_edit.html` include shows the two sets of values.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.options import Options
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import User
from .models.edits import SubmittedForm, Versioned

M = TypeVar("M", bound=models.Model)
V = TypeVar("V", bound=Versioned)


class Edited(Protocol):
    """What StaleEdit reads of a row: a Versioned model, or one with the same three fields
    (QuarterServiceNote)."""

    @property
    def _meta(self) -> Options[Any]: ...
    @property
    def version(self) -> int: ...
    @property
    def updated_by(self) -> User | None: ...
    @property
    def updated_at(self) -> datetime.datetime | None: ...


@dataclass(frozen=True)
class Difference:
    label: str
    theirs: str
    yours: str


def _shown(obj: Edited, name: str) -> str:
    field = obj._meta.get_field(name)
    if getattr(field, "choices", None):
        value = getattr(obj, f"get_{name}_display")()
    else:
        value = getattr(obj, name)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


class StaleEdit(ValidationError):
    """A save over a version someone else saved since the form was opened: nothing was saved.

    `who`, `when` and `differences` (their value beside the user's, per changed field) are for
    the form that shows the refusal."""

    def __init__(self, *, current: Edited, mine: Edited, fields: Sequence[str]) -> None:
        user = current.updated_by
        self.who = (user.get_full_name() or user.username) if user else _("Someone")
        moment = current.updated_at
        self.when = (
            date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""
        )
        self.differences = [
            Difference(_label(current, name), theirs, yours)
            for name in fields
            if (theirs := _shown(current, name)) != (yours := _shown(mine, name))
        ]
        self.current = current
        self.current_version = current.version
        message = _(
            "%(who)s saved this at %(when)s, after you opened it. Nothing of yours was saved over "
            "their work: compare the values below, then save again."
        ) % {"who": self.who, "when": self.when or "–"}
        super().__init__(message, code="stale")


def _label(obj: Edited, name: str) -> str:
    field = obj._meta.get_field(name)
    assert isinstance(field, models.Field)  # an edited field, never a reverse relation
    return str(field.verbose_name)


def _editable_fields(obj: models.Model) -> list[str]:
    skip = {"id", "version", "updated_by", "updated_at"}
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.editable and f.name not in skip and not f.primary_key
    ]


def save_versioned(
    obj: V,
    *,
    by: User,
    version: int | None,
    fields: Sequence[str] | None = None,
    save: Callable[[V], None] | None = None,
) -> V:
    """Save `obj` as an edit made at `version`; atomic.

    Raises StaleEdit (nothing saved) when the stored row's version is not `version`: someone
    saved it since. `fields` are those the form edits (for the comparison; default: every
    editable field). `save` writes the object (default `obj.save()`), e.g. with history.
    """
    now = timezone.now()
    with transaction.atomic():
        if obj.pk is not None:
            # Ordered by pk alone: a Meta.ordering across a nullable relation would join it, and
            # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
            current = (
                type(obj)._base_manager.select_for_update().filter(pk=obj.pk).order_by("pk").first()
            )
            if current is not None:
                if version is None or int(version) != current.version:
                    raise StaleEdit(
                        current=current, mine=obj, fields=fields or _editable_fields(obj)
                    )
                obj.version = current.version + 1
        else:
            obj.version = 1
        obj.updated_by, obj.updated_at = by, now
        (save or (lambda o: o.save()))(obj)
    return obj


# --- Creates happen once -------------------------------------------------------------------------


def _token(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def created_before(*, token: object, by: User | None, model: type[M]) -> M | None:
    """What an earlier post of the same create form made, if any (a repeat's answer); `by`
    None: whoever posted it."""
    key = _token(token)
    if key is None:
        return None
    forms_sent = SubmittedForm.objects.filter(
        token=key, content_type=ContentType.objects.get_for_model(model)
    )
    if by is not None:
        forms_sent = forms_sent.filter(created_by=by)
    earlier = forms_sent.first()
    if earlier is None or earlier.object_id is None:
        return None
    return model._base_manager.filter(pk=earlier.object_id).first()


def create_once(*, token: object, by: User, create: Callable[[], M], model: type[M]) -> M:
    """Run `create` once per form token; a repeat (even concurrent) returns what the first
    created. Without a token (an old page, a script), it just creates."""
    key = _token(token)
    if key is None:
        return create()
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim: SubmittedForm | None = SubmittedForm.objects.create(
                    token=key, created_by=by, content_type=content_type
                )
        except IntegrityError:
            claim = None
        if claim is None:
            earlier = (
                SubmittedForm.objects.select_for_update()
                .filter(token=key, created_by=by, content_type=content_type)
                .first()
            )
            found = (
                model._base_manager.filter(pk=earlier.object_id).first()
                if earlier is not None
                else None
            )
            if found is None:
                raise ValidationError(
                    _("This form was already sent once. Open it again to add another.")
                )
            return found
        obj = create()
        SubmittedForm.objects.filter(pk=claim.pk).update(object_id=obj.pk)
    return obj


def save_edit(
    obj: V,
    *,
    by: User,
    version: int | None,
    token: object = None,
    fields: Sequence[str] | None = None,
    save: Callable[[V], None] | None = None,
) -> V:
    """The one write of a create-or-edit form: a new object is created once per form token
    (a repeat returns the first), an existing one is saved as an edit made at `version`."""
    if obj.pk is None:
        return create_once(
            token=token,
            by=by,
            model=type(obj),
            create=lambda: save_versioned(obj, by=by, version=None, save=save),
        )
    return save_versioned(obj, by=by, version=version, fields=fields, save=save)


# --- Forms ---------------------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Mixin for an edit form: posts the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["version"] = instance.version
        self.stale: StaleEdit | None = None


class OnceForm(forms.Form):
    """Mixin for a create form: a one-time token, so a repeated post creates nothing more.

    A repeat of a form that already created its object is valid whatever its checks say now
    (its name is taken: by itself), so the view goes on to the service, which returns the
    first object, and the user lands where the first post went."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = uuid.uuid4()

    def full_clean(self):
        super().full_clean()
        model = getattr(getattr(self, "_meta", None), "model", None)
        instance = getattr(self, "instance", None)
        if not self._errors or model is None or (instance is not None and instance.pk):
            return
        token = self.data.get(self.add_prefix("form_token"))
        # The token is random per page: found, it is this form's earlier post (the service
        # then checks it was this user's, and returns that object).
        if created_before(token=token, by=None, model=model) is not None:
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data.setdefault("form_token", _token(token))
            self.cleaned_data.setdefault("version", None)
