from django.urls import path

from accounts import views, views_account

app_name = "accounts"

# Profiles, lists, vocabularies and program settings.
urlpatterns: list = [
    path("programs/", views.program_list, name="program_list"),
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/<slug:program>/settings/", views.program_settings, name="program_settings"),
    path("programs/<slug:program>/vocabularies/", views.vocabulary_list, name="vocabulary_list"),
    path(
        "programs/<slug:program>/vocabularies/<slug:kind>/add/",
        views.vocabulary_create,
        name="vocabulary_create",
    ),
    path(
        "programs/<slug:program>/vocabularies/<slug:kind>/<int:pk>/",
        views.vocabulary_edit,
        name="vocabulary_edit",
    ),
    path(
        "programs/<slug:program>/vocabularies/<slug:kind>/<int:pk>/toggle/",
        views.vocabulary_toggle,
        name="vocabulary_toggle",
    ),
    path("programs/<slug:program>/mentees/", views.program_mentees, name="program_mentees"),
    path("programs/<slug:program>/mentees/add/", views.mentee_create, name="mentee_create"),
    path("programs/<slug:program>/mentors/", views.program_mentors, name="program_mentors"),
    path("programs/<slug:program>/mentors/add/", views.mentor_create, name="mentor_create"),
    path("mentees/", views.mentee_list, name="mentee_list"),
    path("mentees/<int:pk>/", views.mentee_detail, name="mentee_detail"),
    path("mentees/<int:pk>/edit/", views.mentee_edit, name="mentee_edit"),
    path("mentees/<int:pk>/status/", views.mentee_status, name="mentee_status"),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor_detail"),
    path("mentors/<int:pk>/edit/", views.mentor_edit, name="mentor_edit"),
    # The person's own account (name, sign-in e-mail).
    path("account/", views_account.account, name="account"),
    path(
        "account/email/<str:token>/",
        views_account.email_change_confirm,
        name="email_change_confirm",
    ),
]

# Consent, invitations and CSV import live in their own module.
from accounts.urls_records import urlpatterns as record_urlpatterns  # noqa: E402

urlpatterns += record_urlpatterns
