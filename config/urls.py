from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kernel.health import health

urlpatterns = [
    path("", include("kernel.urls")),
    path("", include("indicators.urls")),
    path("meetings/", include("workshops.urls")),
    path("ukbm/", include("community.urls")),
    path("planning/", include("planning.urls")),
    path("assessments/", include("assessments.urls")),
    path("spm/", include("cycle.urls")),
    path("exchange/", include("exchange.urls")),
    path("api/", include("api.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Load balancers and monitors: no login, no cookie, 200 or 503 (kernel/health.py).
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]
