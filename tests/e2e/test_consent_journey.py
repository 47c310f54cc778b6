"""Records in the browser: the coordinator is warned about consent and revokes one, imports a
CSV after checking it, invites everyone, and the invited mentee sets a password and is in."""

import re
from datetime import time as clock
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import MenteeProfile
from checkins.models import CheckinSettings
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login
from tests.factories import (
    PASSWORD,
    ConsentFactory,
    MenteeProfileFactory,
    ProgramFactory,
    make_user_with_role,
)
from tests.notifications.outbox import send_due


def _check_page(page, device):
    assert_accessible(page)
    if device == "phone":
        assert_fits_phone(page)


def test_consent_import_and_invitation_journey(page, device, live_server, tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    program = ProgramFactory(name="Riverside", slug="riverside")
    # No quiet hours: the invitation must go out whatever the time of day the test runs.
    CheckinSettings.objects.create(program=program, quiet_start=clock(0), quiet_end=clock(0))
    coordinator = make_user_with_role("coordinator", program)
    mentee = MenteeProfileFactory(program=program)
    consent = ConsentFactory(mentee=mentee, expires_on=timezone.now().date() + timedelta(days=5))

    login(page, live_server.url, coordinator.email, PASSWORD)
    warning = page.get_by_role("region", name=re.compile("Consent to follow up"))
    expect(warning).to_contain_text(mentee.participant_id)
    _check_page(page, device)

    # The participant revokes: from then on the consent is kept, dated, and no longer in force.
    page.goto(f"{live_server.url}/participants/consents/{consent.pk}/")
    _check_page(page, device)
    page.get_by_role("link", name="Revoke").click()
    _check_page(page, device)
    page.get_by_role("button", name="Revoke consent").click()
    expect(page.get_by_role("status").first).to_contain_text("revoked")
    expect(page.locator(".badge").first).to_contain_text("Revoked")

    # A file with a mistake is answered row by row; nothing is written.
    page.goto(f"{live_server.url}/participants/import/")
    _check_page(page, device)
    bad = tmp_path / "bad.csv"
    bad.write_text("role,email,first_name,enrolled_on\nmentee,jo.example.org,Jo,2026-01-05\n")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("1 problem found; nothing was imported")
    expect(page.get_by_role("region", name="Problems by row and column")).to_contain_text(
        "Enter a valid email address."
    )
    _check_page(page, device)
    good = tmp_path / "good.csv"
    good.write_text("role,email,first_name,enrolled_on\nmentee,jo@example.org,Jo,2026-01-05\n")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Ready to import into Riverside")).to_be_visible()
    assert not MenteeProfile.objects.filter(user__email="jo@example.org").exists()
    _check_page(page, device)
    page.get_by_role("button", name="Import 1 participant").click()
    expect(page.get_by_role("status").first).to_contain_text("Imported 0 mentors and 1 mentee")

    page.goto(f"{live_server.url}/participants/invitations/")
    _check_page(page, device)
    page.get_by_role("button", name=re.compile("Invite all")).click()
    expect(page.get_by_role("status").first).to_contain_text("Invited 1")
    send_due()  # the outbox's beat tick and worker, in this process
    [invitation] = mail.outbox
    link = re.search(r"https?://\S+/participants/invitation/\S+/", invitation.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # The invited mentee, on their own device.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    _check_page(page, device)
    page.locator("#id_new_password1").fill("a-quiet-morning-by-the-river")
    page.locator("#id_new_password2").fill("a-quiet-morning-by-the-river")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentee dashboard")

    # The link was single-use: opening it again explains why it no longer works.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("alert")).to_contain_text("already used")
    _check_page(page, device)
