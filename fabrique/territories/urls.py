from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("territoires/", views.territory_list, name="list"),
    path("territoires/<slug:slug>/", views.territory_detail, name="detail"),
    path("gestion/territoires/importer/", views.territory_import, name="import"),
    path("gestion/<slug:territory_slug>/bassins/", views.grouping_list, name="groupings"),
    path("gestion/<slug:territory_slug>/bassins/<int:pk>/", views.grouping_detail, name="grouping"),
    path(
        "gestion/<slug:territory_slug>/bassins/<int:grouping_pk>/nouveau/",
        views.basin_edit,
        name="basin_create",
    ),
    path(
        "gestion/<slug:territory_slug>/bassins/<int:grouping_pk>/importer/",
        views.basin_import,
        name="basin_import",
    ),
    path(
        "gestion/<slug:territory_slug>/bassins/<int:grouping_pk>/<int:pk>/",
        views.basin_edit,
        name="basin_edit",
    ),
    path(
        "gestion/<slug:territory_slug>/bassins/<int:grouping_pk>/<int:pk>/supprimer/",
        views.basin_delete,
        name="basin_delete",
    ),
    path("gestion/<slug:territory_slug>/apparence/", views.appearance_edit, name="appearance"),
    path(
        "gestion/<slug:territory_slug>/pages/<slug:kind>/",
        views.legal_page_edit,
        name="legal_page_edit",
    ),
]
