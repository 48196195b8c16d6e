"""Views of the SPM cycle: package (being built)."""

urlpatterns: list = []
