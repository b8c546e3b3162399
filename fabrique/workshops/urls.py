from .views import day, live, planning, registration

app_name = "workshops"

urlpatterns = [
    *planning.urlpatterns,
    *registration.urlpatterns,
    *day.urlpatterns,
    *live.urlpatterns,
]
