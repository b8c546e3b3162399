from .views import backoffice, members, pool_import, public

app_name = "panels"

urlpatterns = [
    *public.urlpatterns,
    *backoffice.urlpatterns,
    *pool_import.urlpatterns,
    *members.urlpatterns,
]
