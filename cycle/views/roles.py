"""Views of the SPM cycle: roles (being built)."""

urlpatterns: list = []
