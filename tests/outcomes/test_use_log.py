"""The daily use log: one record per mentee per day, history kept, conflicts by program rule."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Consent
from mentorship.models import AuditEntry
from outcomes import services
from outcomes.models import OutcomeSettings, Source, UseDay, UseReport
from tests import factories


@pytest.fixture
def mentee(db):
    return factories.MenteeProfileFactory()


def record(mentee, day, used, source, **kw):
    return services.use_report_record(
        actor=mentee.user, mentee=mentee, day=day, used=used, source=source, **kw
    )


def test_the_database_refuses_a_second_record_for_the_same_day(mentee):
    report = record(mentee, mentee.enrolled_on, False, Source.SELF)
    with pytest.raises(IntegrityError), transaction.atomic():
        UseDay.objects.create(
            mentee=mentee, day=mentee.enrolled_on, used=True, source=Source.SELF, report=report
        )


def test_a_change_adds_history_and_never_overwrites(mentee):
    day = mentee.enrolled_on
    first = record(mentee, day, False, Source.SELF)
    second = record(mentee, day, True, Source.SELF, substances=["Alcohol"])
    assert UseReport.objects.filter(mentee=mentee, day=day).count() == 2
    first.refresh_from_db()
    assert first.used is False  # the earlier report is untouched
    counted = UseDay.objects.get(mentee=mentee, day=day)
    assert counted.used is True and counted.report == second and counted.report_count == 2
    assert counted.substances == ["Alcohol"]
    assert counted.conflicting


def test_a_positive_lab_test_wins_over_a_later_self_report(mentee):
    day = mentee.enrolled_on
    record(mentee, day, True, Source.LAB)
    record(mentee, day, False, Source.SELF)
    assert UseDay.objects.get(mentee=mentee, day=day).used is True


def test_without_a_positive_lab_the_latest_self_report_beats_a_mentor_report(mentee):
    day = mentee.enrolled_on
    record(mentee, day, False, Source.LAB)
    record(mentee, day, False, Source.SELF)
    record(mentee, day, True, Source.MENTOR)
    counted = UseDay.objects.get(mentee=mentee, day=day)
    assert counted.used is False and counted.source == Source.SELF


def test_the_program_rule_decides_and_a_changed_rule_recomputes_the_days(mentee):
    day = mentee.enrolled_on
    record(mentee, day, False, Source.SELF)
    record(mentee, day, True, Source.MENTOR)
    assert UseDay.objects.get(mentee=mentee, day=day).used is False
    coordinator = factories.make_user_with_role("coordinator", mentee.program)
    services.outcome_settings_update(
        actor=coordinator,
        program=mentee.program,
        conflict_rule=OutcomeSettings.ConflictRule.LATEST,
        assessment_weeks="4,12,24",
    )
    assert UseDay.objects.get(mentee=mentee, day=day).used is True


def test_a_future_day_and_substances_on_a_clean_day_are_refused(mentee):
    with pytest.raises(ValidationError):
        record(mentee, mentee.program.today() + timedelta(days=1), False, Source.SELF)
    with pytest.raises(ValidationError):
        record(mentee, mentee.enrolled_on, False, Source.SELF, substances=["Alcohol"])
    assert not UseReport.objects.exists()


def test_every_report_is_audited_without_its_content(mentee):
    report = record(mentee, mentee.enrolled_on, True, Source.SELF, substances=["Alcohol"])
    entry = AuditEntry.objects.get(object_type="outcomes.usereport", object_id=str(report.pk))
    assert entry.action == "create" and entry.person_id == mentee.user_id
    assert "Alcohol" not in str(entry.fields) and "used" in entry.fields


# --- The calendar page


def _calendar_url(mentee, month=None):
    url = reverse("outcomes:calendar", kwargs={"mentee_pk": mentee.pk})
    return url + (f"?month={month:%Y-%m}" if month else "")


def test_a_mentee_fills_in_days_on_the_calendar(client, world):
    mentee = world.mentee_profile
    client.force_login(world.mentee)
    today = mentee.program.today()
    month = today.replace(day=1)
    response = client.get(_calendar_url(mentee, month))
    assert response.status_code == 200
    assert b"My use calendar" in response.content
    days = {month: "no", today: "yes"} if today != month else {today: "yes"}
    data = {f"day_{d:%Y%m%d}": v for d, v in days.items()}
    response = client.post(_calendar_url(mentee, month), data)
    assert response.status_code == 302
    saved = dict(UseDay.objects.filter(mentee=mentee).values_list("day", "used"))
    assert saved == {d: v == "yes" for d, v in days.items()}
    assert set(UseDay.objects.values_list("source", flat=True)) == {Source.SELF}
    # Saving the same answers again adds no history.
    client.post(_calendar_url(mentee, month), data)
    assert UseReport.objects.filter(mentee=mentee).count() == len(days)


def test_future_days_cannot_be_filled(client, world):
    mentee = world.mentee_profile
    client.force_login(world.mentee)
    tomorrow = mentee.program.today() + timedelta(days=1)
    client.post(_calendar_url(mentee, tomorrow), {f"day_{tomorrow:%Y%m%d}": "no"})
    assert not UseDay.objects.filter(day=tomorrow).exists()


def test_a_matched_mentor_records_as_mentor_report(client, world):
    mentee = world.mentee_profile
    client.force_login(world.mentor)
    day = mentee.program.today()
    client.post(_calendar_url(mentee, day), {f"day_{day:%Y%m%d}": "yes"})
    assert UseDay.objects.get(mentee=mentee, day=day).source == Source.MENTOR


def test_a_mentor_without_use_log_consent_gets_404(client, world):
    Consent.objects.filter(mentee=world.mentee_profile).update(covers_use_log=False)
    client.force_login(world.mentor)
    assert client.get(_calendar_url(world.mentee_profile)).status_code == 404


def test_ending_the_match_closes_the_calendar_to_the_mentor_on_the_next_request(client, world):
    client.force_login(world.mentor)
    assert client.get(_calendar_url(world.mentee_profile)).status_code == 200
    world.match.status = "ended"
    world.match.save(update_fields=["status"])
    assert client.get(_calendar_url(world.mentee_profile)).status_code == 404


def test_the_day_page_shows_history_and_a_coordinator_adds_a_lab_result(client, world):
    mentee = world.mentee_profile
    day = mentee.enrolled_on
    record(mentee, day, False, Source.SELF)
    client.force_login(world.coordinator)
    url = reverse("outcomes:day", kwargs={"mentee_pk": mentee.pk, "day": day.isoformat()})
    response = client.post(url, {"used": "yes", "source": "lab", "substances": ["Opioids"]})
    assert response.status_code == 302
    response = client.get(url)
    assert (
        b"Positive test" in response.content
        and b"reports for this day disagree" in response.content
    )
    assert UseDay.objects.get(mentee=mentee, day=day).used is True


def test_the_day_page_answers_bad_input_at_the_field(client, world):
    client.force_login(world.mentee)
    url = reverse(
        "outcomes:day",
        kwargs={"mentee_pk": world.mentee_profile.pk, "day": world.mentee_profile.enrolled_on},
    )
    response = client.post(url, {"used": "no", "source": "self", "heavy": "on"})
    assert response.status_code == 200
    assert b"only to a day with use" in response.content
    assert not UseReport.objects.exists()
    bad = reverse(
        "outcomes:day", kwargs={"mentee_pk": world.mentee_profile.pk, "day": "2026-02-30"}
    )
    assert client.get(bad).status_code == 404
