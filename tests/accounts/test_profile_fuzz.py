"""Whatever a browser (or an attacker) posts, the forms answer with field errors, never a 500."""

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import (
    MenteeForm,
    MenteeStatusForm,
    MentorForm,
    ParticipantFilterForm,
    ProgramSettingsForm,
    VocabularyTermForm,
)
from accounts.models import FocusArea, Membership, MenteeProfile, Training
from tests import factories

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text that includes the awkward cases: empty, whitespace, NUL, huge, non-Latin, numbers.
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "2026-02-31", "-1", "99999999999999999999", "on", "é" * 300]),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


def _fields(program):
    focus = [
        f"focus_{pk}"
        for pk in FocusArea.objects.filter(program=program).values_list("pk", flat=True)
    ]
    trainings = [
        f"training_{pk}"
        for pk in Training.objects.filter(program=program).values_list("pk", flat=True)
    ]
    mentee = [*MenteeForm.Meta.fields, "first_name", "last_name", "email", *focus]
    mentor = [*MentorForm.Meta.fields, "first_name", "last_name", "email", *trainings]
    return mentee, mentor


def _data(names):
    return st.dictionaries(
        st.sampled_from(names), st.one_of(values, st.lists(values, max_size=4)), max_size=len(names)
    )


@pytest.fixture
def program():
    return factories.ProgramFactory()


def test_profile_forms_never_raise(program):
    mentee_fields, mentor_fields = _fields(program)
    mentee = factories.MenteeProfileFactory(program=program)

    @FUZZ
    @given(mentee_data=_data(mentee_fields), mentor_data=_data(mentor_fields))
    def check(mentee_data, mentor_data):
        def as_query(data):
            query = QueryDict(mutable=True)
            for key, value in data.items():
                query.setlist(key, value if isinstance(value, list) else [value])
            return query

        for form in (
            MenteeForm(as_query(mentee_data), program=program),
            MenteeForm(as_query(mentee_data), program=program, instance=mentee),
            MentorForm(as_query(mentor_data), program=program),
            MenteeStatusForm(as_query(mentee_data), mentee=mentee),
            ProgramSettingsForm(as_query(mentor_data), instance=program),
            VocabularyTermForm(as_query(mentor_data)),
            ParticipantFilterForm(as_query(mentee_data), program=program, role="mentee"),
        ):
            form.is_valid()  # must not raise
            if hasattr(form, "helper"):
                assert form.errors is not None

    check()


def test_enrollment_views_never_answer_500(client, program):
    mentee_fields, mentor_fields = _fields(program)
    client.force_login(factories.make_user_with_role(Membership.Role.COORDINATOR, program))
    mentee_url = reverse("accounts:mentee_create", kwargs={"program": program.slug})
    mentor_url = reverse("accounts:mentor_create", kwargs={"program": program.slug})
    list_url = reverse("accounts:program_mentees", kwargs={"program": program.slug})

    @FUZZ
    @given(mentee_data=_data(mentee_fields), mentor_data=_data(mentor_fields))
    def check(mentee_data, mentor_data):
        # The test client cannot send NUL bytes in a URL; the form rejects them in bodies.
        assert client.post(mentee_url, mentee_data).status_code in (200, 302)
        assert client.post(mentor_url, mentor_data).status_code in (200, 302)
        query = {k: v for k, v in mentee_data.items() if "\x00" not in str(v)}
        assert client.get(list_url, query).status_code == 200

    check()
    # Whatever was accepted was written whole: every mentee has a status history.
    for mentee in MenteeProfile.objects.filter(program=program):
        assert mentee.status_history.exists()
