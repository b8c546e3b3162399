from django.urls import path

from . import views, views_similar

app_name = "participation"

P = "demarches/<slug:slug>/contributions/"

urlpatterns = [
    path(P, views.contribution_list, name="list"),
    path(P + "carte.json", views.contribution_map_data, name="map_data"),
    path(P + "nouvelle/", views.contribution_create, name="create"),
    path(P + "saisie/", views.contribution_create, {"collected": True}, name="collect"),
    path(P + "<int:pk>/", views.contribution_detail, name="detail"),
    path(P + "<int:pk>/modifier/", views.contribution_edit, name="edit"),
    path(P + "<int:pk>/retirer/", views.contribution_remove, name="remove"),
    path(P + "<int:pk>/soutenir/", views.support, name="support"),
    path(P + "<int:pk>/suivre/", views.follow, name="follow"),
    path(P + "<int:pk>/commenter/", views.comment, name="comment"),
    path(P + "<int:pk>/signaler/", views.report, name="report"),
    path(P + "<int:pk>/repondre/", views.answer, name="answer"),
    path(P + "commentaires/<int:pk>/retirer/", views.comment_remove, name="comment_remove"),
    # Near-duplicates: close contributions while typing, support from there, undo a merge.
    path(P + "proches/", views_similar.similar_hint, name="similar"),
    path(P + "<int:pk>/soutenir-proche/", views_similar.similar_support, name="similar_support"),
    path(P + "<int:pk>/defusionner/", views_similar.contribution_unmerge, name="unmerge"),
    path(
        "gestion/<slug:territory_slug>/moderation/", views.moderation_index, name="moderation_index"
    ),
    path(
        "gestion/<slug:territory_slug>/demarches/<slug:slug>/moderation/",
        views.moderation_queue,
        name="moderation",
    ),
    path(
        "gestion/<slug:territory_slug>/demarches/<slug:slug>/moderation/<slug:kind>/<int:pk>/",
        views.moderate,
        name="moderate",
    ),
]
