"""The admin shows the records whose changes carry rules but cannot change them: it links to the
app page whose service keeps the locks, history and audit trail."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from mentorship.audit import audit_record
from tests import factories

pytestmark = pytest.mark.django_db

# Every model whose changes go through a service; in the admin, if at all, only to be read.
RULE_MODELS = [
    "matching.Match",
    "matching.MatchStatusChange",
    "matching.MatchingSettings",
    "matching.NeverPair",
    "accounts.MenteeProfile",
    "accounts.MentorProfile",
    "accounts.MentorTraining",
    "accounts.MenteeFocusArea",
    "accounts.StatusChange",
    "accounts.Consent",
    "accounts.Invitation",
    "accounts.RecoveryCodes",
    "accounts.RecoveryCode",
    "otp_totp.TOTPDevice",
    "django_otp_webauthn.WebAuthnCredential",
    "accounts.EmailChange",
    "checkins.CheckIn",
    "checkins.CheckinSettings",
    "checkins.Schedule",
    "checkins.Alert",
    "checkins.CheckInNote",
    "checkins.Attendance",
    "notifications.Notification",
    "goals.Goal",
    "goals.ProgressEntry",
    "goals.GoalComment",
    "goals.GoalReview",
    "outcomes.UseDay",
    "outcomes.UseReport",
    "outcomes.Assessment",
    "outcomes.Disclosure",
    "outcomes.ExportJob",
    "outcomes.OutcomeSettings",
    "mentorship.AuditEntry",
]


@pytest.fixture
def superuser():
    return factories.UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("label", RULE_MODELS)
def test_superuser_gets_no_add_change_or_delete_on_rule_models(superuser, label):
    model = apps.get_model(label)
    if not admin.site.is_registered(model):
        return  # not in the admin at all: nothing there to bypass a service with
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site.get_model_admin(model)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def _match():
    return factories.MatchFactory()


def _cases():
    """(admin name, make the row, a field and a new value to try, the app page's URL)."""
    return [
        ("matching_match", _match, "status", "ended", lambda m: ("matching:match_detail", m.pk)),
        (
            "accounts_menteeprofile",
            lambda: factories.MenteeProfileFactory(),
            "status",
            "discharged",
            lambda m: ("accounts:mentee_detail", m.pk),
        ),
        (
            "accounts_mentorprofile",
            lambda: factories.MentorProfileFactory(),
            "capacity",
            9,
            lambda m: ("accounts:mentor_detail", m.pk),
        ),
        (
            "accounts_consent",
            lambda: factories.ConsentFactory(),
            "version",
            99,
            lambda c: ("accounts:consent_detail", c.pk),
        ),
        (
            "checkins_schedule",
            lambda: factories.ScheduleFactory(),
            "is_active",
            False,
            lambda s: ("checkins:schedule", s.match_id),
        ),
        (
            "checkins_checkin",
            lambda: factories.CheckInFactory(),
            "status",
            "cancelled",
            lambda c: ("checkins:detail", c.pk),
        ),
        (
            "matching_neverpair",
            lambda: factories.NeverPairFactory(),
            "reason",
            "other",
            lambda n: ("matching:suggestions", n.mentee_id),
        ),
    ]


CASES = _cases()


@pytest.mark.parametrize(
    ("name", "make", "field", "value", "page"), CASES, ids=[case[0] for case in CASES]
)
def test_posting_to_the_admin_changes_nothing_and_the_page_links_to_the_app(
    client, superuser, name, make, field, value, page
):
    row = make()
    before = getattr(row, field)
    client.force_login(superuser)
    change_url = reverse(f"admin:{name}_change", args=[row.pk])

    page_name, page_arg = page(row)
    body = client.get(change_url).content.decode()
    assert f'href="{reverse(page_name, args=[page_arg])}"' in body
    assert "Open the app page" in body

    assert client.post(change_url, {field: value}).status_code == 403
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    delete_url = reverse(f"admin:{name}_delete", args=[row.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert getattr(row, field) == before


def test_audit_entries_link_to_the_audit_trail(client, superuser):
    match = factories.MatchFactory()
    entry = audit_record(actor=superuser, action="update", obj=match, fields=["status"])
    client.force_login(superuser)
    body = client.get(reverse("admin:mentorship_auditentry_change", args=[entry.pk])).content
    assert f'href="{reverse("audit_trail")}"' in body.decode()


def test_program_settings_are_set_at_creation_and_then_only_on_the_settings_page(client, superuser):
    client.force_login(superuser)
    assert 'name="timezone"' in client.get(reverse("admin:accounts_program_add")).content.decode()
    program = factories.ProgramFactory()
    body = client.get(reverse("admin:accounts_program_change", args=[program.pk])).content
    assert 'name="timezone"' not in body.decode()
    assert 'name="name"' in body.decode()  # the name stays the superuser's to edit
    assert reverse("accounts:program_settings", args=[program.slug]) in body.decode()


def test_every_admin_list_opens_with_rows_and_their_links(client, superuser):
    schedule = factories.ScheduleFactory()
    factories.CheckInFactory(match=schedule.match)
    factories.ConsentFactory(mentee=schedule.match.mentee)
    factories.NeverPairFactory(program=schedule.match.program)
    audit_record(actor=superuser, action="update", obj=schedule.match, fields=["status"])
    client.force_login(superuser)
    for model in admin.site._registry:
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label
    body = client.get(reverse("admin:matching_match_changelist")).content.decode()
    assert reverse("matching:match_detail", args=[schedule.match.pk]) in body
