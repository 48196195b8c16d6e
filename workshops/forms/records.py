"""Forms of the pages after a meeting: field shapes only; the services check the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from kernel.versioning import OnceForm, VersionedForm

from ..images import DOCUMENT_ACCEPT, PHOTO_ACCEPT
from ..models import Photo, Tracked
from ..services.tracking import NOTE_MAX_LENGTH


def _with_limit(text) -> str:
    """`text` with the upload limit filled in (setting `SIMPUL_UPLOAD_MAX_BYTES`), translated
    when shown (not at import)."""
    return lazy(lambda: str(text) % {"mb": settings.SIMPUL_UPLOAD_MAX_BYTES // 1024**2}, str)()


class MinutesForm(VersionedForm, forms.Form):
    minutes = forms.CharField(
        label=_("Minutes (notulen)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("What was presented, discussed and decided, in order. Line breaks are kept."),
    )
    agreement_text = forms.CharField(
        label=_("Joint agreement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What all parties agree, printed above the commitments and the signatures. "
            "One point per line."
        ),
    )

    def __init__(self, *args, agreement_signed: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if agreement_signed:
            field = self.fields["agreement_text"]
            field.disabled = True
            field.help_text = _("The signed agreement is uploaded: its text can no longer change.")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the service checks each one's content."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)  # the service names the empty file
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data] if data else [single(None, initial)]
        return [single(data, initial)]


class PhotoUploadForm(OnceForm, forms.Form):
    images = MultipleFileField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "multiple": True}),
        help_text=_with_limit(
            _(
                "JPEG, PNG or WebP, up to %(mb)s MB each; several at once. They are resized for "
                "phones and their location data is removed."
            )
        ),
    )
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=Photo._meta.get_field("caption").max_length,
        help_text=_("Given to every photo of this upload; change each one afterwards."),
    )


class PhotoCaptionForm(VersionedForm, forms.Form):
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=Photo._meta.get_field("caption").max_length,
    )


class ScanUploadForm(forms.Form):
    scan = MultipleFileField(
        label=_("Signed agreement (scan)"),
        widget=MultipleFileInput(attrs={"accept": DOCUMENT_ACCEPT, "multiple": True}),
        help_text=_with_limit(
            _(
                "One PDF, or photos of the signed pages (JPEG, PNG, WebP: joined into one PDF in "
                "the order picked), up to %(mb)s MB each."
            )
        ),
    )


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Done: what was achieved (the evidence). Dropped: the reason. Reopened: why."),
    )
    evidence = forms.FileField(
        label=_("Evidence file"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        help_text=_with_limit(
            _("Optional: a report, attendance list or photo (PDF or image, up to %(mb)s MB).")
        ),
    )

    def __init__(self, *args, statuses: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Tracked.Status.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in statuses]
