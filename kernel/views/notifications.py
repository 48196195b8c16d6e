"""The inbox of notifications and one's e-mail preference for them (issue #15). Ends with its
own `urlpatterns`, which kernel/urls.py appends."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import notifications
from ..models import Notification, User
from ..selectors.notifications import inbox_page, unread_count
from ..versioning import VersionedForm
from ..web import run_service


def share_text(request, row: Notification) -> str:
    """WhatsApp's share link (wa.me, no API): the title and the absolute link of the object."""
    link = request.build_absolute_uri(row.url or reverse("kernel:inbox"))
    return "https://wa.me/?text=" + quote(f"{row.title}\n{link}")


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    context = inbox_page(request, unread_only=unread_only)
    for row in context["rows"]:
        row.share_url = share_text(request, row)
    context.update(
        unread_only=unread_only,
        unread_total=unread_count(request.user),
    )
    return render(request, "kernel/notification_list.html", context)


@login_required
def notification_open(request, pk: int):
    """Mark it read and go to its object: only ever a path on this site."""
    row = notifications.notification_open(user=request.user, pk=pk)
    if notifications.is_local(row.url):
        return redirect(row.url)
    return redirect("kernel:inbox")


@login_required
@require_POST
def notification_read(request, pk: int):
    notifications.notification_open(user=request.user, pk=pk)
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_read_all(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(_back(request))


def _back(request) -> str:
    page = request.POST.get("next", "")
    inbox_url = reverse("kernel:inbox")
    return page if page.startswith(inbox_url) and notifications.is_local(page) else inbox_url


class PreferencesForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_notifications"]
        widgets = {"email_notifications": forms.RadioSelect}
        labels = {"email_notifications": gettext_lazy("E-mail me my notifications")}
        help_texts = {
            "email_notifications": gettext_lazy(
                "Every notification is in your inbox in Simpul either way. E-mails go to the "
                "address under My account."
            )
        }

    def _post_clean(self):
        pass  # the service saves, as a versioned edit


@login_required
def notification_preferences(request):
    user = User.objects.get(pk=request.user.pk)  # the model itself, not the lazy request.user
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            request,
            form,
            lambda: notifications.preferences_save(
                user=user,
                version=data["version"],
                email_notifications=data["email_notifications"],
            ),
        ):
            messages.success(request, _("Your notification settings are saved."))
            return redirect("kernel:notification-preferences")
    return render(
        request,
        "kernel/notification_preferences.html",
        {"form": form, "has_email": bool(user.email)},
    )


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/read-all/", notification_read_all, name="notification-read-all"),
    path("inbox/<int:pk>/open/", notification_open, name="notification-open"),
    path("inbox/<int:pk>/read/", notification_read, name="notification-read"),
    path("account/notifications/", notification_preferences, name="notification-preferences"),
]
