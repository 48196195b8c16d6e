"""Staff support: API tokens read-only (never their fingerprint); revoking is done on the pages,
where the owner or the service account's keeper is checked."""

from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("user__is_service_account",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = (
        "user", "name", "prefix", "created_by", "created_at", "expires_at", "last_used_at",
        "revoked_at", "revoked_by",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a token is shown once when made: only the pages make them
