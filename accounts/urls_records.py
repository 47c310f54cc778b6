from django.urls import path

from accounts import views_records as views

# Consent, invitations and CSV import (included by accounts/urls.py, namespace "accounts").
urlpatterns: list = [
    path("mentees/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("consents/<int:pk>/", views.consent_detail, name="consent_detail"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("consents/<int:pk>/signed-form/", views.consent_signed_form, name="consent_signed_form"),
]
urlpatterns += [
    path("import/", views.participant_import, name="participant_import"),
    path("import/confirm/", views.participant_import_confirm, name="participant_import_confirm"),
    path("import/ids/", views.participant_import_ids, name="participant_import_ids"),
    path(
        "import/participants-template.csv",
        views.participant_import_template,
        name="participant_import_template",
    ),
]
urlpatterns += [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("mentees/<int:pk>/invite/", views.mentee_invite, name="mentee_invite"),
    path("mentors/<int:pk>/invite/", views.mentor_invite, name="mentor_invite"),
    path(
        "programs/<slug:slug>/invitations/send-all/",
        views.invitation_send_all,
        name="invitation_send_all",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
