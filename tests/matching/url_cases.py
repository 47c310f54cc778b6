from matching.models import CohortPair, CohortRun
from tests import factories
from tests.urlcases import Case, expect

# A mentee record: the coordinator changes it; the matched mentor and the mentee see it but may
# not change it (403); everyone else does not learn it exists (404).
MENTEE_CHANGE = expect(
    coordinator=200,
    other_coordinator=404,
    staff=404,
    mentor=403,
    mentee=403,
    other_mentor=404,
    other_mentee=404,
)
# Program pages for coordinators: other roles in the program get 403, outsiders 404.
PROGRAM_PAGE = expect(
    coordinator=200,
    other_coordinator=404,
    staff=403,
    mentor=403,
    mentee=403,
    other_mentor=403,
    other_mentee=403,
)


def posted(codes: dict[str, int]) -> dict[str, int]:
    return {who: 302 if code == 200 else code for who, code in codes.items()}


def mentee(w):
    return {"pk": w.mentee_profile.pk}


def match(w):
    return {"pk": w.match.pk}


def program(w):
    return {"slug": w.program.slug}


def exclusion(w):
    other = w.other_mentor.mentor_profiles.get()
    return {
        "pk": factories.NeverPairFactory(
            program=w.program, mentee=w.mentee_profile, mentor=other
        ).pk
    }


def cohort_run(w):
    run = CohortRun.objects.create(program=w.program, status=CohortRun.Status.DONE)
    return {"slug": w.program.slug, "pk": run.pk}


def cohort_pair(w):
    run = CohortRun.objects.create(program=w.program, status=CohortRun.Status.DONE)
    pair = CohortPair.objects.create(
        run=run, mentee=w.mentee_profile, mentor=w.mentor_profile, score=50
    )
    return {"pk": pair.pk, "action": "pin"}


CASES = [
    Case(
        "matching:programs",
        expect(
            coordinator=200,
            other_coordinator=200,
            staff=403,
            mentor=403,
            mentee=403,
            other_mentor=403,
            other_mentee=403,
        ),
    ),
    Case("matching:suggestions", MENTEE_CHANGE, kwargs=mentee),
    Case(
        "matching:propose",
        posted(MENTEE_CHANGE),
        kwargs=mentee,
        method="post",
        data=lambda w: {"mentor": w.other_mentor.mentor_profiles.get().pk},
    ),
    Case(
        "matching:never_pair_add",
        posted(MENTEE_CHANGE),
        kwargs=mentee,
        method="post",
        data=lambda w: {"mentor": w.other_mentor.mentor_profiles.get().pk, "reason": "household"},
    ),
    # Exclusions are for coordinators only: the matched mentor and the mentee do not see them.
    Case(
        "matching:never_pair_remove",
        expect(
            coordinator=302,
            other_coordinator=404,
            staff=404,
            mentor=404,
            mentee=404,
            other_mentor=404,
            other_mentee=404,
        ),
        kwargs=exclusion,
        method="post",
    ),
    Case(
        "matching:match_detail",
        expect(
            coordinator=200,
            other_coordinator=404,
            staff=404,
            mentor=200,
            mentee=200,
            other_mentor=404,
            other_mentee=404,
        ),
        kwargs=match,
    ),
    Case("matching:match_end", MENTEE_CHANGE, kwargs=match),
    Case(
        "matching:match_end",
        posted(MENTEE_CHANGE),
        kwargs=match,
        method="post",
        data=lambda w: {"reason": "completed"},
    ),
    Case(
        "matching:match_action",
        posted(MENTEE_CHANGE),
        kwargs=lambda w: {"pk": w.match.pk, "action": "pause"},
        method="post",
    ),
    Case(
        "matching:match_action",
        expect(
            coordinator=403,
            other_coordinator=404,
            staff=404,
            mentor=302,
            mentee=403,
            other_mentor=404,
            other_mentee=404,
        ),
        kwargs=lambda w: {"pk": w.match.pk, "action": "accept"},
        method="post",
    ),
    Case("matching:program_matches", PROGRAM_PAGE, kwargs=program),
    Case("matching:cohort", PROGRAM_PAGE, kwargs=program),
    Case(
        "matching:cohort",
        posted(PROGRAM_PAGE),
        kwargs=program,
        method="post",
        data=lambda w: {"participant_ids": ""},
    ),
    Case("matching:cohort_progress", PROGRAM_PAGE, kwargs=cohort_run),
    Case("matching:cohort_csv", PROGRAM_PAGE, kwargs=cohort_run),
    Case("matching:cohort_replan", posted(PROGRAM_PAGE), kwargs=cohort_run, method="post"),
    Case("matching:cohort_propose", posted(PROGRAM_PAGE), kwargs=cohort_run, method="post"),
    # A pair of a plan: coordinators of the program only; nobody else learns it exists.
    Case(
        "matching:cohort_pair_action",
        expect(
            coordinator=302,
            other_coordinator=404,
            staff=404,
            mentor=404,
            mentee=404,
            other_mentor=404,
            other_mentee=404,
        ),
        kwargs=cohort_pair,
        method="post",
    ),
    Case("matching:settings", PROGRAM_PAGE, kwargs=program),
]
