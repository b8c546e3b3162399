from django.urls import path

from . import views
from .feeds import ProcessNewsFeed

app_name = "processes"

BO = "gestion/<slug:territory_slug>/demarches/<slug:slug>/"

urlpatterns = [
    path("demarches/", views.process_list, name="list"),
    path("demarches/<slug:slug>/", views.process_detail, name="detail"),
    path("demarches/<slug:slug>/suivre/", views.follow, name="follow"),
    path("demarches/<slug:slug>/flux.atom", ProcessNewsFeed(), name="feed"),
    path("demarches/<slug:slug>/actualites/", views.news_list, name="news_list"),
    path("demarches/<slug:slug>/actualites/<int:pk>/", views.news_detail, name="news"),
    path("demarches/<slug:slug>/phases/<int:pk>/", views.phase_detail, name="phase"),
    path("demarches/<slug:slug>/instances/<int:pk>/", views.body_detail, name="body"),
    path("demarches/<slug:slug>/thematiques/<slug:theme_slug>/", views.theme_detail, name="theme"),
    path("gestion/<slug:territory_slug>/demarches/", views.bo_process_list, name="bo_list"),
    path(
        "gestion/<slug:territory_slug>/demarches/nouvelle/",
        views.bo_process_create,
        name="bo_create",
    ),
    path(BO, views.bo_process, name="bo_process"),
    path(BO + "informations/", views.bo_process_edit, name="bo_edit"),
    path(BO + "statut/", views.bo_status, name="bo_status"),
    path(BO + "phases/", views.bo_phases, name="bo_phases"),
    path(BO + "phases/<int:pk>/", views.bo_phases, name="bo_phase"),
    path(BO + "phases/<int:pk>/supprimer/", views.bo_phase_delete, name="bo_phase_delete"),
    path(BO + "thematiques/", views.bo_themes, name="bo_themes"),
    path(BO + "thematiques/<int:pk>/", views.bo_theme, name="bo_theme"),
    path(
        BO + "ressources/<int:pk>/supprimer/",
        views.bo_resource_delete,
        name="bo_resource_delete",
    ),
    path(BO + "instances/", views.bo_bodies, name="bo_bodies"),
    path(BO + "instances/<int:pk>/", views.bo_body, name="bo_body"),
    path(BO + "membres/<int:pk>/supprimer/", views.bo_member_delete, name="bo_member_delete"),
    path(BO + "reunions/<int:pk>/", views.bo_meeting, name="bo_meeting"),
    path(BO + "actualites/", views.bo_news, name="bo_news"),
    path(BO + "supprimer/<slug:kind>/<int:pk>/", views.bo_delete, name="bo_delete"),
]
