from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from fabrique.core import views as core_views
from fabrique.processes import views as process_views
from fabrique.territories import views as territory_views

urlpatterns = [
    path("", process_views.home, name="home"),
    path("langue/<slug:code>/", core_views.language, name="language"),
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("pages/<slug:kind>/", territory_views.legal_page, name="legal_page"),
    path("", include("fabrique.accounts.urls")),
    path("", include("fabrique.territories.urls")),
    path("", include("fabrique.processes.urls")),
    path("", include("fabrique.participation.urls")),
    path("", include("fabrique.panels.urls")),
    path("", include("fabrique.workshops.urls")),
    path("", include("fabrique.synthesis.urls")),
]

if settings.DEBUG:
    # In production the web server in front serves /media/ (see the README).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
