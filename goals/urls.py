from django.urls import path

from goals import views

app_name = "goals"
urlpatterns = [
    path("", views.board, name="board"),
    path("mentee/<int:mentee_pk>/", views.mentee_goals, name="mentee_goals"),
    path("mentee/<int:mentee_pk>/new/", views.goal_create, name="goal_create"),
    path("<int:pk>/", views.goal_detail, name="goal_detail"),
    path("<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("<int:pk>/status/", views.goal_status, name="goal_status"),
    path("<int:pk>/comment/", views.goal_comment, name="goal_comment"),
    path("<int:pk>/agree/", views.goal_agree, name="goal_agree"),
    path("checkin/<int:checkin_pk>/review/", views.checkin_review, name="checkin_review"),
    path("program/<slug:slug>/", views.program_attainment, name="program_attainment"),
    path("program/<slug:slug>/templates/", views.template_list, name="template_list"),
    path("program/<slug:slug>/templates/seed/", views.template_seed, name="template_seed"),
    path("program/<slug:slug>/templates/new/", views.template_edit, name="template_create"),
    path("program/<slug:slug>/templates/<int:pk>/", views.template_edit, name="template_edit"),
]
