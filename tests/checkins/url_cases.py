"""Check-in URLs in the role x status matrix (see tests/urlcases.py)."""

from checkins.models import Alert, CheckIn
from tests.factories import CheckInFactory
from tests.urlcases import Case, everyone, expect


def _checkin(w) -> CheckIn:
    return CheckIn.objects.filter(match=w.match).first() or CheckInFactory(match=w.match)


def _alert(w) -> Alert:
    return Alert.objects.filter(match=w.match).first() or Alert.objects.create(
        program=w.program, kind=Alert.Kind.CONCERN, mentee=w.mentee_profile, match=w.match
    )


# The pair's own people see it; outsiders get 404 (the record's existence is not confirmed).
PAIR_SEES = expect(
    coordinator=200,
    mentor=200,
    mentee=200,
    staff=404,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)
OUTSIDERS_404 = {"staff": 404, "other_mentor": 404, "other_mentee": 404, "other_coordinator": 404}
PROGRAM_COORDINATOR_ONLY = expect(
    coordinator=200,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
    other_coordinator=404,
)

CASES = [
    Case("checkins:list", everyone(200)),
    Case("checkins:list", everyone(200), query="view=past"),
    Case("checkins:preferences", everyone(200)),
    Case("checkins:detail", PAIR_SEES, kwargs=lambda w: {"pk": _checkin(w).pk}),
    Case("checkins:ics", PAIR_SEES, kwargs=lambda w: {"pk": _checkin(w).pk}),
    Case(
        "checkins:log",
        expect(coordinator=200, mentor=200, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"pk": _checkin(w).pk},
    ),
    Case(
        "checkins:log",
        expect(coordinator=302, mentor=302, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"pk": _checkin(w).pk},
        method="post",
        data=lambda w: {"status": "no_show", "mode": "phone"},
    ),
    Case(
        "checkins:confirm",
        expect(coordinator=403, mentor=403, mentee=302, **OUTSIDERS_404),
        kwargs=lambda w: {"pk": _checkin(w).pk},
        method="post",
    ),
    Case(
        "checkins:cancel",
        expect(coordinator=302, mentor=302, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"pk": _checkin(w).pk},
        method="post",
    ),
    Case(
        "checkins:schedule",
        expect(coordinator=200, mentor=200, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"match_pk": w.match.pk},
    ),
    Case(
        "checkins:create",
        expect(coordinator=200, mentor=200, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"match_pk": w.match.pk},
    ),
    Case(
        "checkins:contact",
        expect(coordinator=200, mentor=200, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"match_pk": w.match.pk},
    ),
    Case(
        "checkins:engagement",
        PROGRAM_COORDINATOR_ONLY,
        kwargs=lambda w: {"program_pk": w.program.pk},
    ),
    Case(
        "checkins:program_settings",
        PROGRAM_COORDINATOR_ONLY,
        kwargs=lambda w: {"program_pk": w.program.pk},
    ),
    Case(
        "checkins:group_create",
        expect(
            coordinator=403,
            staff=403,
            mentor=200,
            mentee=403,
            other_mentor=200,
            other_mentee=403,
            other_coordinator=404,
        ),
        kwargs=lambda w: {"program_pk": w.program.pk},
    ),
    Case(
        "checkins:alert",
        expect(coordinator=200, mentor=403, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"pk": _alert(w).pk},
    ),
    Case(
        "checkins:alert_update",
        expect(coordinator=302, mentor=403, mentee=403, **OUTSIDERS_404),
        kwargs=lambda w: {"pk": _alert(w).pk, "state": "acknowledge"},
        method="post",
    ),
]
