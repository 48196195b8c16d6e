"""Pages of meetings and commitments: one module per part, each with its `urlpatterns`."""
