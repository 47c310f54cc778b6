from django.urls import path, re_path

from matching import views

app_name = "matching"
urlpatterns = [
    path("", views.programs, name="programs"),
    path("mentee/<int:pk>/", views.suggestions, name="suggestions"),
    path("mentee/<int:pk>/propose/", views.propose, name="propose"),
    path("mentee/<int:pk>/never-pair/", views.never_pair_add, name="never_pair_add"),
    path("never-pair/<int:pk>/remove/", views.never_pair_remove, name="never_pair_remove"),
    path("match/<int:pk>/", views.match_detail, name="match_detail"),
    path("match/<int:pk>/end/", views.match_end, name="match_end"),
    re_path(
        r"^match/(?P<pk>[0-9]+)/(?P<action>approve|pause|resume|accept|decline)/$",
        views.match_action,
        name="match_action",
    ),
    path("program/<slug:slug>/", views.program_matches, name="program_matches"),
    path("program/<slug:slug>/cohort/", views.cohort, name="cohort"),
    path(
        "program/<slug:slug>/cohort/<int:pk>/progress/",
        views.cohort_run_progress,
        name="cohort_progress",
    ),
    path("program/<slug:slug>/cohort/<int:pk>/replan/", views.cohort_replan, name="cohort_replan"),
    path(
        "program/<slug:slug>/cohort/<int:pk>/propose/", views.cohort_propose, name="cohort_propose"
    ),
    path("program/<slug:slug>/cohort/<int:pk>/plan.csv", views.cohort_csv, name="cohort_csv"),
    re_path(
        r"^cohort-pair/(?P<pk>[0-9]+)/(?P<action>pin|unpin|remove|restore)/$",
        views.cohort_pair_action,
        name="cohort_pair_action",
    ),
    path("program/<slug:slug>/settings/", views.matching_settings, name="settings"),
]
