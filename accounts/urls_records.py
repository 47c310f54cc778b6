from django.urls import path

from accounts import views_records as views

# Consent, invitations and CSV import (included by accounts/urls.py, namespace "accounts").
urlpatterns: list = [
    path("mentees/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("consents/<int:pk>/", views.consent_detail, name="consent_detail"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("consents/<int:pk>/signed-form/", views.consent_signed_form, name="consent_signed_form"),
]
