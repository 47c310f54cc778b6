"""Role x URL matrix for participant profiles, lists, settings and vocabularies."""

from accounts.models import Philosophy
from tests.urlcases import Case, everyone, expect

# Program pages of program A: its coordinator only; members with other roles are refused (403);
# the coordinator of program B does not learn that the program exists (404).
PROGRAM_PAGE = expect(
    coordinator=200,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
    other_coordinator=404,
)
COORDINATORS_ONLY = expect(
    coordinator=200,
    other_coordinator=200,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
)
# Straight to the list of the one program a coordinator runs.
CHOOSER = {**COORDINATORS_ONLY, "coordinator": 302, "other_coordinator": 302}
# A mentee's record: their coordinator changes it; they and their matched mentor may only look.
MENTEE_CHANGE = expect(
    coordinator=200,
    mentor=403,
    mentee=403,
    staff=404,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)
MENTEE_VIEW = {**MENTEE_CHANGE, "mentor": 200, "mentee": 200}
MENTOR_CHANGE = expect(
    coordinator=200,
    mentor=403,
    mentee=404,
    staff=404,
    other_mentor=404,
    other_mentee=404,
    other_coordinator=404,
)
MENTOR_VIEW = {**MENTOR_CHANGE, "mentor": 200}


def _program(w):
    return {"program": w.program.slug}


def _philosophy(w):
    term = Philosophy.objects.filter(program=w.program).first()
    return {"program": w.program.slug, "kind": "philosophies", "pk": term.pk}


CASES = [
    # Everyone's own account; an e-mail change link works only for the account that asked.
    Case("accounts:account", everyone(200)),
    Case("accounts:email_change_confirm", everyone(410), kwargs=lambda w: {"token": "0" * 64}),
    Case("accounts:program_list", COORDINATORS_ONLY),
    Case("accounts:mentee_list", CHOOSER),
    Case("accounts:mentor_list", CHOOSER),
    Case("accounts:program_settings", PROGRAM_PAGE, kwargs=_program),
    Case(
        "accounts:program_settings",
        {**PROGRAM_PAGE, "coordinator": 200},  # empty POST: the form shows its errors
        kwargs=_program,
        method="post",
    ),
    Case("accounts:vocabulary_list", PROGRAM_PAGE, kwargs=_program),
    Case(
        "accounts:vocabulary_create",
        PROGRAM_PAGE,
        kwargs=lambda w: {"program": w.program.slug, "kind": "focus-areas"},
    ),
    Case("accounts:vocabulary_edit", PROGRAM_PAGE, kwargs=_philosophy),
    Case(
        "accounts:vocabulary_toggle",
        {**PROGRAM_PAGE, "coordinator": 302},
        kwargs=_philosophy,
        method="post",
    ),
    Case("accounts:program_mentees", PROGRAM_PAGE, kwargs=_program),
    Case("accounts:program_mentees", PROGRAM_PAGE, kwargs=_program, query="unmatched=on&q=x"),
    Case("accounts:program_mentors", PROGRAM_PAGE, kwargs=_program),
    Case("accounts:program_mentors", PROGRAM_PAGE, kwargs=_program, query="eligibility=eligible"),
    Case("accounts:mentee_create", PROGRAM_PAGE, kwargs=_program),
    Case("accounts:mentor_create", PROGRAM_PAGE, kwargs=_program),
    Case("accounts:mentee_detail", MENTEE_VIEW, kwargs=lambda w: {"pk": w.mentee_profile.pk}),
    Case("accounts:mentee_edit", MENTEE_CHANGE, kwargs=lambda w: {"pk": w.mentee_profile.pk}),
    Case("accounts:mentee_status", MENTEE_CHANGE, kwargs=lambda w: {"pk": w.mentee_profile.pk}),
    Case(
        "accounts:mentee_status",
        MENTEE_CHANGE,  # a refused transition re-renders the form for the coordinator
        kwargs=lambda w: {"pk": w.mentee_profile.pk},
        method="post",
        data=lambda w: {"to_status": "active", "reason": ""},
    ),
    Case("accounts:mentor_detail", MENTOR_VIEW, kwargs=lambda w: {"pk": w.mentor_profile.pk}),
    Case("accounts:mentor_edit", MENTOR_CHANGE, kwargs=lambda w: {"pk": w.mentor_profile.pk}),
]
