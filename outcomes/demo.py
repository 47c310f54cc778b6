"""Demo outcomes: logs, BARC-10 and the BAM for the current demo mentees, plus a finished earlier cohort
(both arms, 24 weeks) in a program of its own, so the cohort report and its charts show
something meaningful. The demo coordinator and evaluator see both. Deterministic, idempotent."""

import random
from datetime import timedelta

from django.db import transaction

from accounts.models import Membership, MenteeProfile, Program, Substance, User
from accounts.vocabularies import vocabulary_seed_defaults
from outcomes.instruments import BAM, BARC10, due_date
from outcomes.models import Assessment, OutcomeSettings, Source, UseReport
from outcomes.services import use_reports_import

PAST_COHORT = 40
WEEKS = 24


@transaction.atomic
def demo_seed_outcomes(*, program: Program) -> None:
    earlier = _earlier_cohort(program)
    for target in (program, earlier):
        if not UseReport.objects.filter(mentee__program=target).exists():
            _logs(target)
        if not Assessment.objects.filter(mentee__program=target, instrument=BAM.code).exists():
            _bam(target)


def _bam(program: Program) -> None:
    """The Brief Addiction Monitor beside BARC-10 at every time point that has come: use
    falls and protection grows, faster for mentored participants."""
    OutcomeSettings.objects.update_or_create(
        program=program, defaults={"instruments": f"{BARC10.code},{BAM.code}"}
    )
    rng = random.Random(2021)  # noqa: S311 — demo data, not security
    today = program.today()
    rows = []
    for mentee in MenteeProfile.objects.filter(program=program).order_by("pk"):
        mentored = mentee.study_arm == MenteeProfile.Arm.MENTORED
        for step, week in enumerate((0, 4, 12, 24)):
            due = due_date(mentee.enrolled_on, week)
            if due > today:
                break
            better = step * (0.25 if mentored else 0.1)  # share of problems gone by now
            answers = []
            for item in BAM.items:
                values = [value for value, _ in BAM.scale_of(item)]
                protective = item.key in ("9", "10", "12", "13", "14", "16", "17")
                odds = 0.3 + better if protective else max(0.05, 0.5 - better)
                answers.append(values[-1] if rng.random() < odds else rng.choice(values[:-1]))
            scores = BAM.score(answers)
            rows.append(
                Assessment(
                    mentee=mentee,
                    instrument=BAM.code,
                    week=week,
                    answers=answers,
                    scores=scores,
                    completed_on=due,
                )
            )
    Assessment.objects.bulk_create(rows, ignore_conflicts=True)


def _earlier_cohort(program: Program) -> Program:
    earlier, _ = Program.objects.get_or_create(
        slug=f"{program.slug}-earlier-cohort",
        defaults={
            "name": f"{program.name} (earlier cohort)",
            "organization": program.organization,
            "timezone": program.timezone,
        },
    )
    vocabulary_seed_defaults(program=earlier)
    # Whoever coordinates or evaluates the demo program sees the earlier cohort too.
    for membership in Membership.objects.filter(
        program=program, role__in=[Membership.Role.COORDINATOR, Membership.Role.STAFF]
    ):
        Membership.objects.get_or_create(
            user=membership.user, program=earlier, role=membership.role
        )
    if MenteeProfile.objects.filter(program=earlier).exists():
        return earlier
    rng = random.Random(2019)  # noqa: S311 — demo data, not security
    today = earlier.today()
    for n in range(1, PAST_COHORT + 1):
        user, _ = User.objects.get_or_create(
            email=f"past-cohort-{n}@demo.example",
            defaults={"first_name": "Earlier", "last_name": f"Participant {n}"},
        )
        Membership.objects.get_or_create(user=user, program=earlier, role=Membership.Role.MENTEE)
        MenteeProfile.objects.get_or_create(
            program=earlier,
            user=user,
            defaults={
                "enrolled_on": today - timedelta(days=rng.randint(190, 260)),
                "study_arm": MenteeProfile.Arm.MENTORED if n % 2 else MenteeProfile.Arm.COMPARISON,
                "status": MenteeProfile.Status.COMPLETED,
            },
        )
    return earlier


def _logs(program: Program) -> None:
    rng = random.Random(2020)  # noqa: S311 — demo data, not security
    today = program.today()
    substances = list(Substance.objects.filter(program=program).values_list("name", flat=True))
    rows, assessments = [], []
    for mentee in MenteeProfile.objects.filter(program=program).order_by("pk"):
        mentored = mentee.study_arm == MenteeProfile.Arm.MENTORED
        # MAP's finding in miniature: mentees use on fewer days than treatment as usual.
        risk = rng.uniform(0.05, 0.25) if mentored else rng.uniform(0.15, 0.4)
        usual = rng.choice(substances) if substances else None
        last = min(today, mentee.enrolled_on + timedelta(days=7 * WEEKS - 1))
        for offset in range((last - mentee.enrolled_on).days + 1):
            if rng.random() < 0.12:
                continue  # a missing day: nobody recorded it
            used = rng.random() < risk * (0.7 if mentored and offset > 84 else 1.0)
            rows.append(
                {
                    "mentee_id": mentee.pk,
                    "day": mentee.enrolled_on + timedelta(days=offset),
                    "used": used,
                    "substances": [usual] if used and usual else [],
                    "source": Source.SELF if rng.random() < 0.8 else Source.MENTOR,
                }
            )
        intake = rng.randint(22, 40)
        for week in (0, 4, 12, 24):
            due = due_date(mentee.enrolled_on, week)
            if due > today:
                break
            gain = week // 4 * (2 if mentored else 1)
            total = max(10, min(60, intake + gain + rng.randint(-3, 3)))
            answers = _answers_for(total, rng)
            scores = BARC10.score(answers)
            assessments.append(
                Assessment(
                    mentee=mentee,
                    instrument=BARC10.code,
                    week=week,
                    answers=answers,
                    scores=scores,
                    total=scores["total"],
                    completed_on=due,
                )
            )
    use_reports_import(actor=None, program=program, rows=rows)
    Assessment.objects.bulk_create(assessments, ignore_conflicts=True)


def _answers_for(total: int, rng: random.Random) -> list[int]:
    """Ten item scores of 1-6 adding up to `total` (10-60)."""
    answers = [1] * 10
    for _ in range(total - 10):
        i = rng.choice([i for i, a in enumerate(answers) if a < 6])
        answers[i] += 1
    return answers
