from django.urls import path  # noqa: F401

app_name = "accounts"

# Profiles, lists, vocabularies and program settings.
urlpatterns: list = []

# Consent, invitations and CSV import live in their own module.
from accounts.urls_records import urlpatterns as record_urlpatterns  # noqa: E402

urlpatterns += record_urlpatterns
