from .views import duplicates, figures, opinion, report, topics

app_name = "synthesis"

urlpatterns = [
    *topics.urlpatterns,
    *duplicates.urlpatterns,
    *figures.urlpatterns,
    *opinion.urlpatterns,
    *report.urlpatterns,
]
