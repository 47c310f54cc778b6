"""Consent decides what a mentor sees, on every page and in every channel (issue #16, hole 3).

A matched pair carries known sentinel text in every field a consent scope covers
(accounts.consents.MENTOR_DISCLOSURES). The mentor then walks every page they can reach -- the
GET URLs of the role x URL matrix, every same-site link found on those pages, their calendar feed
-- and every e-mail sent to them, before any consent, with a full consent, with a narrowed one and
after revocation. A sentinel may appear only while a consent in force covers it; while a consent
covers it, it must appear somewhere (or the walk proves nothing).
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import consents
from accounts.models import (
    Consent,
    FocusArea,
    MenteeFocusArea,
    MenteeProfile,
    Philosophy,
    Substance,
)
from checkins import services as checkin_services
from checkins.forms import LogForm
from checkins.models import CheckIn, CheckinSettings
from checkins.services import LogData
from goals.models import GoalComment
from mentorship.access import AccessPaths
from notifications import services as notifications
from notifications.models import Notification
from tests import factories
from tests.portal.test_url_permissions import CASES

EMAIL = "sentinel-mail-q7x@example.org"
LAST_NAME = "Zentinelski"
NOTE = "SentinelNote-k2v confided at the check-in"
SUBSTANCE = "Zentinelamine"
PHILOSOPHY = "Zentinel pathway"
NEED = "Zentinel need"
TOPIC = "Zentinel topic"
STEPS = "SentinelSteps-r5n agreed at the check-in"
GOAL = "SentinelGoal-w8r"
PROGRESS = "SentinelProgress-j4m"
COMMENT = "SentinelComment-p1z"

# Field group (or, for whole records, the scope) -> text that only that data puts on a page.
FIELD_SENTINELS = {
    "mentee.email": [EMAIL],
    "mentee.last_name": [LAST_NAME],
    "mentee.substances": [SUBSTANCE],
    "mentee.recovery_stage": ["In treatment"],
    "mentee.referral_source": ["Court or probation"],
    "mentee.philosophy": [PHILOSOPHY],
    "mentee.focus_needs": [NEED],
    "checkin.note": [NOTE],
    "checkin.mood": ["4 / 5"],
    "checkin.craving": ["9 / 10"],
    "checkin.topics": [TOPIC],
    "checkin.next_steps": [STEPS],
    # "checkin.use": the reported day, added by the fixture (it depends on today).
}
RECORD_SENTINELS = {
    "covers_goals": [GOAL, PROGRESS, COMMENT],
    "covers_assessments": ["Schedule and results"],  # the assessments page's table
}
SKIP = ("/static/", "/media/", "/admin/", "/accounts/logout", "/logout")


@pytest.fixture
def pair(world):
    """The world's active match, every covered field holding a sentinel, and a calendar feed."""
    mentee, program = world.mentee_profile, world.program
    # No quiet hours: which e-mails go out must not depend on the time of day the test runs.
    CheckinSettings.objects.update_or_create(
        program=program,
        defaults={"quiet_start": timezone.now().time(), "quiet_end": timezone.now().time()},
    )
    start = _start_urls(world)  # the matrix's own objects (some need the consent it made)
    Consent.objects.filter(mentee=mentee).delete()  # "before consent": none was ever given
    user = mentee.user
    user.email = EMAIL
    # The account's own name too: a page showing the person's account name to the mentor
    # would let the last name out as surely as the program's.
    user.last_name = LAST_NAME
    user.save(update_fields=["email", "last_name"])
    mentee.first_name = mentee.first_name or "Rosa"
    mentee.last_name = LAST_NAME
    mentee.recovery_stage = MenteeProfile.Stage.IN_TREATMENT
    mentee.referral_source = MenteeProfile.Referral.COURT
    mentee.preferred_philosophy = Philosophy.objects.create(program=program, name=PHILOSOPHY)
    mentee.save(
        update_fields=[
            "first_name",
            "last_name",
            "recovery_stage",
            "referral_source",
            "preferred_philosophy",
        ]
    )
    # Retired from the vocabulary (here and for the topic below): an active focus area is a
    # topic choice on every log form.
    need = FocusArea.objects.create(program=program, name=NEED, is_active=False)
    MenteeFocusArea.objects.create(mentee=mentee, focus_area=need)
    mentee.substances.add(Substance.objects.create(program=program, name=SUBSTANCE))
    held = CheckIn.objects.create(
        program=program,
        match=world.match,
        mentee=mentee,
        scheduled_at=timezone.now() - timedelta(days=3),
    )
    use_day = program.today() - timedelta(days=2)
    checkin_services.checkin_log(
        actor=world.mentor,
        checkin=held,
        data=LogData(
            status=CheckIn.Status.COMPLETED,
            actual_at=held.scheduled_at,
            actual_minutes=45,
            mood=4,
            craving=9,
            use_reported=CheckIn.UseReport.YES,
            use_days=[use_day],
            notes=NOTE,
            next_steps=STEPS,
            topics=[FocusArea.objects.create(program=program, name=TOPIC, is_active=False)],
        ),
    )
    checkin_services.checkin_create(
        actor=world.coordinator, match=world.match, scheduled_at=timezone.now() + timedelta(days=2)
    )
    goal = factories.GoalFactory(mentee=mentee, title=GOAL)
    factories.ProgressEntryFactory(goal=goal, note=PROGRESS)
    GoalComment.objects.create(goal=goal, author=world.mentee, body=COMMENT)
    factories.AssessmentFactory(mentee=mentee)
    feed = reverse(
        "checkins:calendar_feed",
        kwargs={"token": checkin_services.calendar_feed_reset(user=world.mentor)},
    )
    sentinels = {**FIELD_SENTINELS, "checkin.use": [f"Used: {use_day.isoformat()}"]}
    return world, held, [*start, feed], sentinels


def _consent(world, **covers):
    flags = dict.fromkeys(
        ("covers_checkin_notes", "covers_use_log", "covers_goals", "covers_assessments"), False
    )
    return consents.consent_record(
        mentee=world.mentee_profile,
        recorded_by=world.coordinator,
        data={**flags, **covers, "to_mentor": True, "expiry_event": "When I leave"},
    )


def _start_urls(world) -> list[str]:
    urls = []
    for case in CASES:
        if case.method == "get" and case.expect["mentor"] == 200:
            url = reverse(case.name, kwargs=case.kwargs(world))
            urls.append(url + (f"?{case.query}" if case.query else ""))
    urls.append(reverse("accounts:mentee_detail", kwargs={"pk": world.mentee_profile.pk}))
    return urls


def _walk(client, world, start: list[str]) -> dict[str, str]:
    """Every page the mentor reaches (matrix URLs, then links found on pages), the calendar
    feed, and the e-mails sent to the mentor: {where: text}."""
    client.force_login(world.mentor)
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            seen[url] = ""
            continue
        text = unescape(response.content.decode())
        seen[url] = text
        for link in re.findall(r'href="(/[^"#]*)', text):
            if link not in seen:
                queue.append(link)
    # E-mails: everything queued for the mentor is sent now, through the real outbox.
    Notification.objects.filter(recipient=world.mentor, status="pending").update(
        due_at=timezone.now() - timedelta(minutes=1), available_at=timezone.now()
    )
    while (token := notifications.notification_claim_due()) is not None:
        notifications.notification_send_batch(token=str(token))
    for i, message in enumerate(mail.outbox):
        if world.mentor.email in message.to:
            seen[f"e-mail {i}: {message.subject}"] = message.subject + "\n" + message.body
    return seen


def _expected(scopes: set[str], sentinels) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(sentinels that may show, sentinels that must not) for these scopes in force."""
    shown_fields = set().union(*(consents.MENTOR_DISCLOSURES[s].fields for s in scopes))
    allowed, hidden = {}, {}
    for group, texts in sentinels.items():
        (allowed if group in shown_fields else hidden)[group] = texts
    for scope, texts in RECORD_SENTINELS.items():
        (allowed if scope in scopes else hidden)[scope] = texts
    return allowed, hidden


def _leaks(pages: dict[str, str], hidden: dict[str, list[str]]) -> list[str]:
    return [
        f"{group} ({text!r}) on {where}"
        for group, texts in hidden.items()
        for text in texts
        for where, body in pages.items()
        if text in body
    ]


def _missing(pages: dict[str, str], allowed: dict[str, list[str]]) -> list[str]:
    return [
        f"{group} ({text!r})"
        for group, texts in allowed.items()
        for text in texts
        if not any(text in body for body in pages.values())
    ]


def test_a_mentor_sees_only_what_the_consent_in_force_covers_on_every_page(client, pair):
    world, _held, start, sentinels = pair
    everything = {
        "to_mentor",
        "covers_checkin_notes",
        "covers_use_log",
        "covers_goals",
        "covers_assessments",
    }
    steps = [
        ("before any consent", None, set()),
        ("with a full consent", dict.fromkeys(everything - {"to_mentor"}, True), everything),
        ("narrowed to goals", {"covers_goals": True}, {"to_mentor", "covers_goals"}),
        ("after revocation", "revoke", set()),
    ]
    for label, covers, scopes in steps:
        if covers == "revoke":
            for consent in Consent.objects.filter(Consent.active_q(), mentee=world.mentee_profile):
                consents.consent_revoke(consent=consent, revoked_by=world.coordinator)
        elif covers is not None:
            _consent(world, **covers)
        pages = _walk(client, world, start)
        assert len([p for p in pages.values() if p]) > 20, f"{label}: the walk found few pages"
        allowed, hidden = _expected(scopes, sentinels)
        assert not _leaks(pages, hidden), f"{label}: {_leaks(pages, hidden)}"
        assert not _missing(pages, allowed), f"{label}: not shown {_missing(pages, allowed)}"


def test_hole_3_revoking_hides_use_notes_and_substances_from_the_matched_mentor(client, pair):
    """The review's exact observations: after the consent covering the use log and check-in
    notes is revoked, the check-in page showed "Use reported" with dates and the notes, and the
    mentee page the substances; with no consent at all, e-mail, substances, mood, craving and
    notes."""
    world, held, _start, sentinels = pair
    client.force_login(world.mentor)
    checkin_page = reverse("checkins:detail", args=[held.pk])
    mentee_page = reverse("accounts:mentee_detail", args=[world.mentee_profile.pk])
    use = sentinels["checkin.use"][0]

    def pages():
        return client.get(checkin_page).content.decode() + client.get(mentee_page).content.decode()

    text = pages()
    for hidden in (EMAIL, SUBSTANCE, NOTE, "4 / 5", "9 / 10", use, "Use reported"):
        assert hidden not in text, f"no consent, yet {hidden!r} shows"

    consent = _consent(world, covers_use_log=True, covers_checkin_notes=True)
    text = pages()
    for shown in (EMAIL, SUBSTANCE, NOTE, "4 / 5", "9 / 10", use, "Use reported"):
        assert shown in text

    consents.consent_revoke(consent=consent, revoked_by=world.coordinator)
    text = pages()
    for hidden in (EMAIL, SUBSTANCE, NOTE, "4 / 5", "9 / 10", use, "Use reported"):
        assert hidden not in text, f"revoked, yet {hidden!r} shows"


def test_the_log_form_neither_shows_nor_overwrites_what_the_consent_hides(client, pair):
    world, held, _start, _sentinels = pair
    client.force_login(world.mentor)
    url = reverse("checkins:log", args=[held.pk])
    page = client.get(url).content.decode()
    for name in ("mood", "craving", "use_reported", "use_days", "notes", "topics", "next_steps"):
        assert f'name="{name}"' not in page
    assert NOTE not in page and STEPS not in page
    response = client.post(url, {"status": "completed", "mode": "phone", "actual_minutes": 50})
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.mood, held.craving, held.use_reported) == (4, 9, "yes")
    assert held.use_days and held.note.text == NOTE and held.next_steps == STEPS
    assert [topic.name for topic in held.topics.all()] == [TOPIC]
    assert held.actual_minutes == 50

    _consent(world, covers_use_log=True, covers_checkin_notes=True)
    page = client.get(url).content.decode()
    for name in ("mood", "craving", "use_reported", "use_days", "notes", "next_steps"):
        assert f'name="{name}"' in page
    assert NOTE in page and STEPS in page


def test_a_first_log_asks_everything_without_consent(db):
    """Nothing is stored before the first log, so the form asks every question."""
    checkin = factories.CheckInFactory(scheduled_at=timezone.now() - timedelta(hours=1))
    form = LogForm(checkin=checkin, shown=frozenset())
    assert {"mood", "craving", "use_reported", "use_days", "notes"} <= set(form.fields)


def test_the_declaration_names_every_model_a_consent_guards():
    """MENTOR_DISCLOSURES' records and the models' access_paths.mentor_consent are one list."""
    guarded: dict[str, set[str]] = {}
    for model in apps.get_models():
        paths = getattr(model, "access_paths", None)
        if isinstance(paths, AccessPaths) and paths.mentor_consent:
            guarded.setdefault(paths.mentor_consent, set()).add(model._meta.label)
    declared = {
        scope: set(d.records) for scope, d in consents.MENTOR_DISCLOSURES.items() if d.records
    }
    assert guarded == declared
    assert set(consents.MENTOR_DISCLOSURES) - {"to_mentor"} <= {
        f.name for f in Consent._meta.fields if f.name.startswith("covers_")
    }


def test_an_identified_check_in_export_needs_the_use_log_scope_it_discloses(client, world):
    """The check-in rows say whether use was reported: a consent covering the notes but not
    the use log does not let them out with the participant's name."""
    Consent.objects.filter(mentee=world.mentee_profile).update(covers_use_log=False)
    factories.CheckInFactory(match=world.match)
    client.force_login(world.coordinator)
    url = reverse("outcomes:identified_export", kwargs={"slug": world.program.slug})
    data = {"kind": "checkins", "fmt": "csv", "recipient": "Evaluator", "purpose": "Audit"}
    response = client.post(url, data | {"only_consented": "on"})
    assert response.status_code == 400 and b"Nobody in this program" in response.content

    Consent.objects.filter(mentee=world.mentee_profile).update(covers_use_log=True)
    response = client.post(url, data | {"only_consented": "on"})
    assert response.status_code == 200 and response.streaming
    assert world.mentee.email in b"".join(response.streaming_content).decode()


def test_who_sees_a_mentees_covered_fields(world):
    """The mentee and the program's coordinators always; a matched mentor per the consent in
    force; staff, other mentors and other programs never."""
    mentee = world.mentee_profile
    Consent.objects.filter(mentee=mentee).update(covers_checkin_notes=False)
    for who in ("mentee", "coordinator"):
        assert consents.shown_to(world.user(who), mentee) == consents.FIELD_GROUPS
    mentor_sees = consents.shown_to(world.mentor, mentee)
    assert consents.may_see(world.mentor, mentee, "checkin.use")
    assert "checkin.note" not in mentor_sees and "mentee.email" in mentor_sees
    for who in ("staff", "other_mentor", "other_mentee", "other_coordinator"):
        assert consents.shown_to(world.user(who), mentee) == frozenset(), who
    with pytest.raises(LookupError):
        consents.may_see(world.mentor, mentee, "checkin.undeclared")
