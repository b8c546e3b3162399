from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("compte/profil/", views.profile, name="profile"),
    path("compte/mes-donnees/", views.personal_data_export, name="export"),
    path("compte/notifications/", views.notifications, name="notifications"),
    path("compte/supprimer/", views.account_delete, name="delete"),
    path("gestion/", views.dashboard, name="dashboard"),
    path("gestion/<slug:territory_slug>/", views.territory_home, name="territory_home"),
    path("gestion/<slug:territory_slug>/roles/", views.role_list, name="roles"),
    path(
        "gestion/<slug:territory_slug>/roles/<int:pk>/retirer/",
        views.role_withdraw,
        name="role_withdraw",
    ),
]
