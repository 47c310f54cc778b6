from django.contrib import admin
from django.urls import include, path

from accounts.views_account import language_switch
from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Django's set_language (django.conf.urls.i18n), which also saves a signed-in person's choice.
    path("i18n/setlang/", language_switch, name="set_language"),
    path("audit/", views.audit_trail, name="audit_trail"),
    path("work/<slug:slug>/", views.work_queues, name="work_queues"),
    path(
        "work/<slug:slug>/assessments/",
        views.assessments_due_queue,
        name="work_queue_assessments",
    ),
    path("accounts/", include("accounts.auth_urls")),
    path("accounts/security/", include("accounts.security_urls")),
    path("participants/", include("accounts.urls")),
    path("matching/", include("matching.urls")),
    path("checkins/", include("checkins.urls")),
    path("goals/", include("goals.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
