"""Identified exports are disclosures: coordinators only, consent per participant, recorded."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent
from mentorship.models import AuditEntry
from outcomes.disclosure import NOTICE_2_32
from outcomes.models import Disclosure, OutcomeSettings, Source
from outcomes.services import use_reports_import
from tests import factories


@pytest.fixture
def consented(world):
    """The world's matched mentee consents; the other mentee has no consent at all."""
    mentee = world.mentee_profile
    use_reports_import(
        actor=None,
        program=world.program,
        rows=[
            {
                "mentee_id": mentee.pk,
                "day": mentee.enrolled_on,
                "used": False,
                "substances": [],
                "source": Source.SELF,
            }
        ],
    )
    return world


def _post(client, world, **extra):
    data = {"kind": "days", "fmt": "csv", "recipient": "State evaluator", "purpose": "Audit"}
    return client.post(
        reverse("outcomes:identified_export", kwargs={"slug": world.program.slug}),
        data | extra,
    )


def test_it_is_refused_while_a_participant_lacks_a_covering_consent(client, consented):
    client.force_login(consented.coordinator)
    response = _post(client, consented)
    assert response.status_code == 400
    assert consented.other_mentee_profile.participant_id in response.content.decode()
    assert not Disclosure.objects.exists()
    assert not AuditEntry.objects.filter(action="disclose").exists()


def test_a_revoked_consent_no_longer_covers(client, consented):
    Consent.objects.filter(mentee=consented.mentee_profile).update(revoked_at=timezone.now())
    client.force_login(consented.coordinator)
    response = _post(client, consented, only_consented="on")
    assert response.status_code == 400 and b"Nobody in this program" in response.content


def test_consenting_participants_are_disclosed_with_the_notice_and_a_record(client, consented):
    client.force_login(consented.coordinator)
    response = _post(client, consented, only_consented="on")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [NOTICE_2_32]
    assert rows[1][:4] == ["participant_id", "name", "email", "enrolled_on"]
    assert rows[2][2] == consented.mentee.email
    assert rows[2][-1] == consented.mentee_profile.enrolled_on.isoformat()
    assert consented.other_mentee.email not in text
    record = Disclosure.objects.get()
    assert record.mentee == consented.mentee_profile and record.recipient == "State evaluator"
    assert record.consent.mentee == consented.mentee_profile
    entry = AuditEntry.objects.get(action="disclose")
    assert entry.person == consented.mentee and entry.actor == consented.coordinator


def test_staff_cannot_make_an_identified_export(client, consented):
    client.force_login(consented.staff)
    assert _post(client, consented, only_consented="on").status_code == 403


def test_the_settings_page_changes_the_conflict_rule(client, world):
    client.force_login(world.coordinator)
    url = reverse("outcomes:settings", kwargs={"slug": world.program.slug})
    defaults = {
        "instruments": ["barc10"],
        "abstinence_timepoints": "84,168",
        "abstinence_windows": "1-12,13-24",
        "grace_days": "14",
        "lapse_rule": "strict",
        "baseline_days": "90",
        "min_cell_size": "11",
    }
    response = client.post(
        url, {"conflict_rule": "latest", "assessment_weeks": "12, 4,24", **defaults}
    )
    assert response.status_code == 302
    saved = OutcomeSettings.objects.get(program=world.program)
    assert saved.conflict_rule == "latest" and saved.assessment_weeks == "4,12,24"
    response = client.post(url, {"conflict_rule": "latest", "assessment_weeks": "soon", **defaults})
    assert response.status_code == 200 and b"separated by commas" in response.content


def test_xlsx_identified_export_opens_on_the_notice(client, consented):
    from openpyxl import load_workbook

    client.force_login(consented.coordinator)
    response = _post(client, consented, only_consented="on", fmt="xlsx", kind="participants")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["notice", "outcomes"]
    assert workbook["notice"]["A1"].value == NOTICE_2_32
    assert factories.PASSWORD not in str(list(workbook["outcomes"].values))
