"""Views of the indicators app, one module per part; each module lists its own `urlpatterns`."""
