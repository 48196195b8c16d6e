"""Views of the SPM cycle: stages (being built)."""

urlpatterns: list = []
