from django.urls import path  # noqa: F401

# Consent, invitations and CSV import (included by accounts/urls.py, namespace "accounts").
urlpatterns: list = []
