"""Every accounts model is in the admin for superusers; legal records are read-only there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_every_accounts_model_is_registered():
    missing = [
        m.__name__
        for m in apps.get_app_config("accounts").get_models()
        if not admin.site.is_registered(m)
    ]
    # The two inline-only models are edited on their profile's page; recovery codes are secrets,
    # reset with the user list's action only.
    assert set(missing) <= {"MentorTraining", "MenteeFocusArea", "RecoveryCodes", "RecoveryCode"}


def test_superuser_opens_every_changelist_and_profile_page(client):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    match = factories.MatchFactory()
    consent = factories.ConsentFactory(mentee=match.mentee)
    for model in apps.get_app_config("accounts").get_models():
        if admin.site.is_registered(model):
            url = reverse(f"admin:accounts_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 200, url
    for name, pk in [
        ("menteeprofile", match.mentee.pk),
        ("mentorprofile", match.mentor.pk),
        ("consent", consent.pk),
    ]:
        assert client.get(reverse(f"admin:accounts_{name}_change", args=[pk])).status_code == 200


def test_consent_cannot_be_changed_or_deleted_in_the_admin(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    consent = factories.ConsentFactory()
    url = reverse("admin:accounts_consent_delete", args=[consent.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(consent).objects.filter(pk=consent.pk).exists()
