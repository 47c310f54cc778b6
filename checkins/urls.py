from django.urls import path

from checkins import views

app_name = "checkins"
urlpatterns = [
    path("", views.checkin_list, name="list"),
    path("<int:pk>/", views.checkin_detail, name="detail"),
    path("<int:pk>/log/", views.checkin_log, name="log"),
    path("<int:pk>/confirm/", views.checkin_confirm, name="confirm"),
    path("<int:pk>/cancel/", views.checkin_cancel, name="cancel"),
    path("<int:pk>/checkin.ics", views.checkin_ics, name="ics"),
    path("match/<int:match_pk>/schedule/", views.schedule_edit, name="schedule"),
    path("match/<int:match_pk>/one-off/", views.checkin_create, name="create"),
    path("match/<int:match_pk>/contact/", views.contact_log, name="contact"),
    path("program/<int:program_pk>/engagement/", views.engagement, name="engagement"),
    path("program/<int:program_pk>/settings/", views.program_settings, name="program_settings"),
    path("program/<int:program_pk>/group/", views.group_create, name="group_create"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/<str:state>/", views.alert_update, name="alert_update"),
    path("settings/", views.preferences, name="preferences"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
