"""Whatever is typed into the foundation's forms, the answer is a page, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import clear_abuse_limits

pytestmark = pytest.mark.django_db

text = st.text(max_size=300)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(username=text, password=text)
def test_sign_in_form_never_fails(username, password):
    response = Client().post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in (200, 302, 429)


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(
            ["program", "person", "object_type", "action", "date_from", "date_to", "page"]
        ),
        text,
        max_size=7,
    )
)
def test_audit_trail_filters_never_fail(world, query):
    client = Client()
    client.force_login(world.coordinator)
    response = client.get(reverse("audit_trail"), query)
    assert response.status_code == 200


@FUZZ
@given(email=text)
def test_password_reset_form_never_fails(email):
    clear_abuse_limits()  # each example is a first attempt; the limits have their own tests
    response = Client().post(reverse("password_reset"), {"email": email})
    assert response.status_code in (200, 302)


def test_audit_trail_rejects_a_program_outside_scope_at_the_field(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse("audit_trail"), {"program": world.other_program.pk})
    assert "Select a valid choice" in response.content.decode()
