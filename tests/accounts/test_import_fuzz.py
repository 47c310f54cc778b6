"""Whatever a file holds, the import answers with problems or rows: never an exception."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms_records import ConsentForm, ConsentRevokeForm
from accounts.imports import COLUMN_NAMES, participants_check, participants_import
from tests import factories

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["mentor", "mentee", "yes", "no", "2026-01-05", "Housing:high", "Opioids;Alcohol", "3"]
    ),
)


@pytest.fixture
def program(db):
    return factories.ProgramFactory(slug="fuzz")


@FUZZ
@given(content=st.binary(max_size=400))
def test_any_bytes_are_answered(program, content):
    result = participants_check(program=program, content=content)
    assert result.problems or result.rows


@FUZZ
@given(
    columns=st.lists(st.sampled_from(COLUMN_NAMES), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(cell, min_size=0, max_size=10), min_size=1, max_size=5),
)
def test_any_cells_under_known_columns_are_answered(program, columns, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["role", "email", "first_name", *columns])
    writer.writerows(rows)

    result = participants_import(program=program, content=out.getvalue().encode(), dry_run=True)

    for problem in result.problems:
        assert problem.message  # each problem says what is wrong


consent_value = st.one_of(st.text(max_size=20), st.sampled_from(["on", "", "typed", "uploaded"]))


@FUZZ
@given(data=st.dictionaries(st.sampled_from(list(ConsentForm.base_fields)), consent_value))
def test_consent_form_never_raises(db, data):
    form = ConsentForm(data)
    if form.is_valid():
        assert form.cleaned_data["revocation_explained"]


@FUZZ
@given(value=st.text(max_size=30))
def test_revoke_form_never_raises(world, value):
    form = ConsentRevokeForm({"revoked_at": value}, consent=world.mentee_profile.consents.get())
    # Either accepted, or refused with a message at the date field the coordinator typed in.
    assert form.is_valid() or form.errors.get("revoked_at")
