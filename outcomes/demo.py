"""Demo outcomes: use days from each mentee's enrollment on, BARC-10 and the BAM at their
time points, and people in follow-up. The mentees enrolled over six months, so the cohort
report has both arms at every time point up to 24 weeks. Deterministic, idempotent."""

import random
from datetime import UTC, datetime, time, timedelta

from django.db import transaction

from accounts.models import Membership, MenteeProfile, Program, Substance, User
from checkins.models import CheckIn
from outcomes import interviews
from outcomes.instruments import BAM, BARC10, due_date
from outcomes.models import (
    Assessment,
    Interview,
    InterviewSchedule,
    Locator,
    OutcomeSettings,
    Source,
    UseDay,
    UseReport,
)
from outcomes.services import (
    CheckinUse,
    _checkin_use_apply,
    use_reports_import,
    use_summaries_refresh,
)

WEEKS = 24


@transaction.atomic
def demo_seed_outcomes(*, program: Program) -> None:
    if not UseReport.objects.filter(mentee__program=program).exists():
        _logs(program)
        checkin_use_answers(program)
    if not Assessment.objects.filter(mentee__program=program, instrument=BAM.code).exists():
        _bam(program)
    _interviews(program, three_month=True)


def _interviews(program: Program, *, three_month: bool) -> None:
    """Interviews done, missed and due: most intakes done in their window, some follow-ups
    completed, one person not located, the rest open or missed; a few locator records."""
    if Interview.objects.filter(mentee__program=program).exists():
        return
    InterviewSchedule.objects.get_or_create(program=program, defaults={"three_month": three_month})
    coordinator = (
        User.objects.filter(
            memberships__program=program, memberships__role=Membership.Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )
    rng = random.Random(2021)  # noqa: S311 — demo data, not security
    today = program.today()
    state = interviews.follow_up_read(program=program, today=today)
    rows = []
    for n, mentee in enumerate(state.people):
        for point in interviews.points_of(state.schedule):
            found = state.of(mentee, point).window
            if found is None or found.opens > today:
                continue
            if point == interviews.Point.INTAKE and n % 6 == 5:
                continue  # an intake never done: missed once its 30 days are over
            if point != interviews.Point.INTAKE and n % 4 == 3:
                continue  # a follow-up not done yet: open, or missed if its window closed
            if point != interviews.Point.INTAKE and n % 4 == 2:
                rows.append((mentee, point, min(today, found.opens), "not_located"))
                continue
            last = min(today, found.closes)
            held = found.opens + timedelta(days=rng.randint(0, (last - found.opens).days))
            rows.append((mentee, point, held, "completed"))
    Interview.objects.bulk_create(
        Interview(
            mentee=mentee,
            point=point,
            held_on=held,
            outcome=outcome,
            conducted_by=coordinator,
            recorded_by=coordinator,
        )
        for mentee, point, held, outcome in rows
    )
    for mentee in state.people[:3]:
        Locator.objects.get_or_create(
            mentee=mentee,
            defaults={
                "phones": "555-0100 (mobile)",
                "addresses": "12 Example Street, Springfield",
                "contacts": "A sister, 555-0101; the day centre on Main Street",
                "participant_agreed": True,
                "updated_by": coordinator,
            },
        )


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


def checkin_period(day, previous) -> list:
    """The days a held check-in on `day` asks about: those since the mentee's previous held
    check-in (on `previous`, or a week back for the first), two weeks at most, as the log form
    offers them."""
    first = day - timedelta(days=6) if previous is None else previous + timedelta(days=1)
    first = max(first, day - timedelta(days=13))
    return [first + timedelta(days=n) for n in range((day - first).days + 1)]


def checkin_use_answers(program: Program) -> None:
    """Each held check-in's use answer, from the use log of the days it asks about: "used" on
    the days of use, else "no use". Then the check-in -> use log hand-off, as when a mentor logs
    one, so the mentor's reports of those days stand beside the mentee's own."""
    tz = program.tzinfo
    held = list(
        CheckIn.objects.filter(
            program=program, kind=CheckIn.Kind.INDIVIDUAL, status=CheckIn.Status.COMPLETED
        ).order_by("mentee_id", "scheduled_at", "pk")
    )
    used = set(
        UseDay.objects.filter(mentee__program=program, used=True).values_list("mentee_id", "day")
    )
    previous: dict[int, object] = {}
    said = []
    for checkin in held:
        day = checkin.scheduled_at.astimezone(tz).date()
        days = [
            d
            for d in checkin_period(day, previous.get(checkin.mentee_id))
            if (checkin.mentee_id, d) in used
        ]
        previous[checkin.mentee_id] = day
        checkin.use_reported = CheckIn.UseReport.YES if days else CheckIn.UseReport.NO
        checkin.use_days = [d.isoformat() for d in days]
        if days:
            said.append(
                CheckinUse(checkin.pk, checkin.mentee_id, checkin.logged_by_id, frozenset(days))
            )
    CheckIn.objects.bulk_update(held, ["use_reported", "use_days"], batch_size=1000)
    _checkin_use_apply(program=program, said=said, actor=None)


def _answers_for(total: int, rng: random.Random) -> list[int]:
    """Ten item scores of 1-6 adding up to `total` (10-60)."""
    answers = [1] * 10
    for _ in range(total - 10):
        i = rng.choice([i for i, a in enumerate(answers) if a < 6])
        answers[i] += 1
    return answers


def demo_seed_outcomes_large(*, program: Program) -> None:
    """The large program's use log: a year of days (with gaps) for every matched mentee,
    a few weeks for the others, BARC-10 at each time point reached, and a use summary for every
    mentee. Bulk inserts, one transaction per slice of mentees; idempotent (a run cut short
    resumes with the mentees that have no summary yet)."""
    today = program.today()
    substances = list(Substance.objects.filter(program=program).values_list("name", flat=True))
    pending = list(
        MenteeProfile.objects.filter(program=program, use_summary__isnull=True)
        .order_by("pk")
        .values_list("pk", "enrolled_on", "status")
    )
    for start in range(0, len(pending), 500):
        with transaction.atomic():
            _large_logs(pending[start : start + 500], today, substances)


def _large_logs(mentees, today, substances) -> None:
    rng = random.Random(mentees[0][0])  # noqa: S311 — demo data, not security
    reports, assessments = [], []
    for mentee_id, enrolled_on, status in mentees:
        # Matched mentees have a year of records; the others only their first weeks, if any.
        last = today if status == MenteeProfile.Status.ACTIVE else enrolled_on + timedelta(days=20)
        risk = rng.uniform(0.05, 0.3)
        usual = rng.choice(substances)
        for offset in range((min(last, today) - enrolled_on).days + 1):
            if rng.random() < 0.12:
                continue  # a missing day: nobody recorded it
            used = rng.random() < risk
            reports.append(
                UseReport(
                    mentee_id=mentee_id,
                    day=enrolled_on + timedelta(days=offset),
                    used=used,
                    substances=[usual] if used else [],
                    source=Source.SELF if rng.random() < 0.8 else Source.MENTOR,
                )
            )
        intake = rng.randint(22, 40)
        for week in (0, 4, 12, 24, 52):
            due = due_date(enrolled_on, week)
            if due > today:
                break
            answers = _answers_for(max(10, min(60, intake + week // 4)), rng)
            assessments.append(
                Assessment(
                    mentee_id=mentee_id,
                    instrument=BARC10.code,
                    week=week,
                    answers=answers,
                    scores=BARC10.score(answers),
                    total=sum(answers),
                    completed_on=due,
                    # Recorded the day it was taken, not all today (the reports watch this).
                    recorded_at=datetime.combine(due, time(12), UTC),
                )
            )
    UseReport.objects.bulk_create(reports, batch_size=5000)
    # One report a day: it is the day's counting record (what outcomes.services would choose).
    UseDay.objects.bulk_create(
        (
            UseDay(
                mentee_id=r.mentee_id,
                day=r.day,
                used=r.used,
                substances=r.substances,
                source=r.source,
                report=r,
            )
            for r in reports
        ),
        batch_size=5000,
    )
    Assessment.objects.bulk_create(assessments, batch_size=5000, ignore_conflicts=True)
    use_summaries_refresh(mentee_ids=[m for m, _, _ in mentees])
