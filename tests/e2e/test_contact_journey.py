"""A mentor on a phone logs an unplanned contact that already happened, in a few taps from
opening the form, and flags a concern: the page says who was told and what happens next."""

from checkins.models import Alert, CheckIn
from tests import factories
from tests.e2e.conftest import assert_accessible, assert_fits_phone, login


def test_mentor_logs_an_unplanned_contact_in_a_few_taps(page, device, live_server):
    match = factories.MatchFactory()
    login(page, live_server.url, match.mentor.user.email, factories.PASSWORD)
    page.goto(f"{live_server.url}/checkins/")
    page.get_by_role("link", name="Log a contact").click()
    assert_accessible(page)
    assert_fits_phone(page)

    taps = 0
    # Today, now, by phone, 15 minutes are filled in: a text message needs two taps, a concern
    # one more, saving one.
    page.locator("label[for=id_mode_3]").click()  # text
    taps += 1
    page.locator("label[for=id_risk_1]").click()  # concern
    taps += 1
    page.get_by_role("button", name="Save contact").click()
    taps += 1
    assert taps <= 6

    page.get_by_text("Contact logged.").wait_for()
    page.get_by_text("Concern flagged: the program's coordinators have been told").wait_for()
    assert_accessible(page)
    assert_fits_phone(page)
    checkin = CheckIn.objects.get(match=match)
    assert (checkin.status, checkin.mode, checkin.actual_minutes) == ("completed", "text", 15)
    assert checkin.logged_at is not None and checkin.actual_at <= checkin.logged_at
    assert Alert.objects.filter(checkin=checkin, kind="concern").exists()
