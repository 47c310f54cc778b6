"""Follow-up interviews: the schedule (due dates and windows from the intake date), the
follow-up dashboard's figures, and the services that record interviews and locator data.

Federally funded recovery programs (SAMHSA GPRA) interview each client at intake, at a 6-month
follow-up and at discharge; a follow-up counts only inside its window, 30 days before to 60
days after its due date (months 5-8 after intake), and the program is measured on its
follow-up rate: follow-ups completed in their window / intakes whose window has closed.

- The intake date is the enrollment date (`MenteeProfile.enrolled_on`, day 1 of every figure).
- Month arithmetic is calendar months (dateutil's relativedelta): intake on 31 August is due
  on 28 February, or the 29th in a leap year; never a month of 30 days.
- "Intakes" are people who must be interviewed and had their intake interview completed in
  its window; intake coverage is those over everyone who must be interviewed.
- Whether an interview counts is derived when read, from the schedule as it is now (see the
  comment on outcomes.models.InterviewSchedule), so one function (`in_window`) answers it for
  the pages, the rate, the notices and the export.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.models import MenteeProfile, Program, StatusChange, User
from mentorship.audit import Action, audit_record
from outcomes.models import Interview, InterviewSchedule, Locator

Point = Interview.Point
Outcome = Interview.Outcome
# A person who died or withdrew from the study is no longer sought (kept in the rate's
# denominator: the rate is of intakes, as funders define it).
NOT_SOUGHT = (Outcome.DECEASED, Outcome.WITHDRAWN)
FINISHED = (
    MenteeProfile.Status.COMPLETED,
    MenteeProfile.Status.WITHDRAWN,
    MenteeProfile.Status.DISCHARGED,
)
WEEK = 7  # the dashboard's "this week" and the notice before a window closes


@dataclass(frozen=True)
class PointRule:
    point: str
    months: int | None  # after intake; None: due on the discharge date
    before: int  # days the window opens before the due date
    after: int  # days it stays open after it


RULES = {
    # Intake: from the enrollment date to 30 days after (an intake not done by then is missed).
    Point.INTAKE: PointRule(Point.INTAKE, 0, 0, 30),
    Point.MONTH_3: PointRule(Point.MONTH_3, 3, 30, 60),
    Point.MONTH_6: PointRule(Point.MONTH_6, 6, 30, 60),
    # A planned discharge is often interviewed at the last session, before it is recorded.
    Point.DISCHARGE: PointRule(Point.DISCHARGE, None, 14, 14),
}
FOLLOW_UPS = (Point.MONTH_3, Point.MONTH_6)
HEADLINE = Point.MONTH_6  # the follow-up a program's rate is judged on


def schedule_get(*, program: Program) -> InterviewSchedule:
    """The program's schedule, or the defaults (unsaved) when it never changed them."""
    return InterviewSchedule.objects.filter(program=program).first() or InterviewSchedule(
        program=program
    )


def points_of(schedule: InterviewSchedule) -> list[str]:
    points = [Point.INTAKE]
    if schedule.three_month:
        points.append(Point.MONTH_3)
    return [*points, Point.MONTH_6, Point.DISCHARGE]


def follow_ups_of(schedule: InterviewSchedule) -> list[str]:
    return [p for p in points_of(schedule) if p in FOLLOW_UPS]


@dataclass(frozen=True)
class Window:
    point: str
    due: date
    opens: date
    closes: date

    def holds(self, day: date) -> bool:
        return self.opens <= day <= self.closes


def window(point: str, *, intake: date, discharged_on: date | None = None) -> Window | None:
    """The due date and window of one point; None for a discharge not yet recorded."""
    rule = RULES[point]
    if rule.months is None:
        if discharged_on is None:
            return None
        due = discharged_on
    else:
        due = intake + relativedelta(months=rule.months)
    return Window(point, due, due - timedelta(days=rule.before), due + timedelta(days=rule.after))


def in_window(interview: Interview, *, intake: date, discharged_on: date | None = None) -> bool:
    found = window(interview.point, intake=intake, discharged_on=discharged_on)
    return found is not None and found.holds(interview.held_on)


# --- Reading a program's follow-up state (a fixed number of queries, however many people)


@dataclass
class PersonPoint:
    """One person at one point: the window, and whether it is done, open, missed or ahead."""

    mentee: MenteeProfile
    point: str
    window: Window | None
    interviews: list[Interview]
    done: bool  # a completed interview inside the window
    not_sought: bool  # died or withdrew from the study

    @property
    def label(self) -> str:
        return Point(self.point).label

    def state(self, today: date) -> str:
        if self.done:
            return "done"
        if self.window is None:
            return "not_due"
        if today < self.window.opens:
            return "ahead"
        if today <= self.window.closes:
            return "open"
        return "missed"


@dataclass
class FollowUp:
    """A program's interview state for the people who must be interviewed."""

    schedule: InterviewSchedule
    today: date
    people: list[MenteeProfile]
    points: dict[tuple[int, str], PersonPoint] = field(default_factory=dict)

    def of(self, mentee: MenteeProfile, point: str) -> PersonPoint:
        return self.points[(mentee.pk, point)]


def discharge_dates(*, program: Program, mentees: list[MenteeProfile]) -> dict[int, date]:
    """The day (program time) each person who has left the program left it."""
    finished = [m.pk for m in mentees if m.status in FINISHED]
    if not finished:
        return {}
    tz = program.tzinfo
    latest = (
        StatusChange.objects.filter(mentee_id__in=finished, to_status__in=FINISHED)
        .values("mentee_id")
        .annotate(at=Max("changed_at"))
        .values_list("mentee_id", "at")
    )
    return {mentee_id: at.astimezone(tz).date() for mentee_id, at in latest}


def follow_up_read(
    *,
    program: Program,
    today: date | None = None,
    arm: str | None = None,
    person: MenteeProfile | None = None,
) -> FollowUp:
    """Everyone who must be interviewed (optionally one arm of them), each point's window and
    interviews; or one person (whether or not the schedule requires them). Four queries."""
    schedule = schedule_get(program=program)
    today = today or program.today()
    people = MenteeProfile.objects.filter(program=program).select_related("user")
    if person is not None:
        people = people.filter(pk=person.pk)
    elif schedule.arm:
        people = people.filter(study_arm=schedule.arm)
    if arm:
        people = people.filter(study_arm=arm)
    people = list(people.order_by("enrolled_on", "participant_id"))
    interviews: dict[int, list[Interview]] = defaultdict(list)
    for interview in Interview.objects.filter(mentee__in=people).select_related("conducted_by"):
        interviews[interview.mentee_id].append(interview)
    discharged = discharge_dates(program=program, mentees=people)
    result = FollowUp(schedule=schedule, today=today, people=people)
    for mentee in people:
        mine = interviews.get(mentee.pk, [])
        not_sought = any(i.outcome in NOT_SOUGHT for i in mine)
        for point in points_of(schedule):
            found = window(
                point, intake=mentee.enrolled_on, discharged_on=discharged.get(mentee.pk)
            )
            at_point = [i for i in mine if i.point == point]
            done = found is not None and any(
                i.outcome == Outcome.COMPLETED and found.holds(i.held_on) for i in at_point
            )
            result.points[(mentee.pk, point)] = PersonPoint(
                mentee, point, found, at_point, done, not_sought
            )
    return result


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return self.numerator / self.denominator * 100 if self.denominator else None


def follow_up_rate(state: FollowUp, point: str) -> Rate:
    """Completed in window / intakes whose window for `point` has closed (before today)."""
    due = done = 0
    for mentee in state.people:
        if not state.of(mentee, Point.INTAKE).done:
            continue
        here = state.of(mentee, point)
        if here.window is None or here.window.closes >= state.today:
            continue
        due += 1
        done += here.done
    return Rate(done, due)


def intake_coverage(state: FollowUp) -> Rate:
    """Intake interviews completed in their window / everyone who must be interviewed."""
    return Rate(sum(state.of(m, Point.INTAKE).done for m in state.people), len(state.people))


@dataclass(frozen=True)
class WeekLists:
    opening: list[PersonPoint]  # windows opening today or in the next 6 days
    closing: list[PersonPoint]  # open, not done, closing today or in the next 6 days
    missed: list[PersonPoint]  # closed in the last 7 days without a completed interview


def week_lists(state: FollowUp) -> WeekLists:
    today, end = state.today, state.today + timedelta(days=WEEK - 1)
    opening, closing, missed = [], [], []
    for person_point in state.points.values():
        found = person_point.window
        if found is None or person_point.done or person_point.not_sought:
            continue
        if today <= found.opens <= end:
            opening.append(person_point)
        if found.opens <= today and today <= found.closes <= end:
            closing.append(person_point)
        if today - timedelta(days=WEEK) <= found.closes < today:
            missed.append(person_point)
    return WeekLists(
        sorted(opening, key=lambda p: p.window.opens),
        sorted(closing, key=lambda p: p.window.closes),
        sorted(missed, key=lambda p: p.window.closes),
    )


def follow_up_summary(*, program: Program, today: date | None = None) -> list[dict]:
    """The dashboard's rows: all people, then each arm, with their rates and week lists."""
    rows = []
    for arm, label in [("", _("Everyone")), *MenteeProfile.Arm.choices]:
        state = follow_up_read(program=program, today=today, arm=arm or None)
        if arm and not state.people:
            continue
        rows.append(
            {
                "arm": arm,
                "label": label,
                "state": state,
                "intake_coverage": intake_coverage(state),
                "rates": [
                    (point, Point(point).label, follow_up_rate(state, point))
                    for point in follow_ups_of(state.schedule)
                ],
                "headline": follow_up_rate(state, HEADLINE),
                "week": week_lists(state),
            }
        )
    return rows


# --- Services


@transaction.atomic
def interview_record(
    *,
    actor: User,
    mentee: MenteeProfile,
    point: str,
    held_on: date,
    outcome: str,
    conducted_by: User | None,
    request=None,
) -> Interview:
    """Record one interview attempt (kept even when outside its window); a completed one in
    its window withdraws the window's unsent notices."""
    if point not in points_of(schedule_get(program=mentee.program)):
        raise ValidationError({"point": _("This program does not interview at that point.")})
    if held_on > mentee.program.today():
        raise ValidationError({"held_on": _("An interview cannot be recorded before it is held.")})
    interview = Interview.objects.create(
        mentee=mentee,
        point=point,
        held_on=held_on,
        outcome=outcome,
        conducted_by=conducted_by,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=interview,
        fields=["point", "held_on", "outcome", "conducted_by"],
        person=mentee.user,  # the access paths name no mentee: nobody but coordinators reach it
        request=request,
    )
    from outcomes import followup_notices  # the notices read this module's schedule

    followup_notices.followup_notices_withdraw(mentee=mentee)
    return interview


@transaction.atomic
def interview_schedule_update(
    *, actor: User, program: Program, three_month: bool, arm: str, target_rate: int, request=None
) -> InterviewSchedule:
    schedule = schedule_get(program=program)
    schedule.three_month, schedule.arm, schedule.target_rate = three_month, arm, target_rate
    schedule.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=schedule,
        fields=["three_month", "arm", "target_rate"],
        request=request,
    )
    return schedule


LOCATOR_FIELDS = ("phones", "addresses", "contacts", "participant_agreed")


@transaction.atomic
def locator_save(*, actor: User, mentee: MenteeProfile, request=None, **values) -> Locator:
    """Create or change a participant's locator record; audited by field name only."""
    locator = Locator.objects.select_for_update().filter(mentee=mentee).first()
    # The lock keeps two coordinators saving at once from losing one's change unaudited.
    created = locator is None
    locator = locator or Locator(mentee=mentee)
    changed = [name for name in LOCATOR_FIELDS if getattr(locator, name) != values[name]]
    for name in LOCATOR_FIELDS:
        setattr(locator, name, values[name])
    locator.updated_by = actor
    locator.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=locator,
        fields=changed,
        person=mentee.user,
        request=request,
    )
    return locator
