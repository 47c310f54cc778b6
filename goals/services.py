"""Writes for goals. Every change is audited by field name, never by content."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import FocusArea, MenteeProfile, Program, User
from checkins.models import CheckIn
from goals.models import Direction, Goal, GoalComment, GoalReview, GoalTemplate, ProgressEntry
from goals.progress import progress_fraction
from mentorship.audit import Action, audit_record

Status = Goal.Status

# The parts of the plan the mentor agrees to; when the mentee changes one, they agree again.
AGREED_FIELDS = {
    "specific",
    "metric",
    "unit",
    "direction",
    "baseline",
    "target",
    "steps",
    "support",
    "start_date",
    "due_date",
}

# The parts of a goal its form writes, in the order the full form asks them.
GOAL_FIELDS = (
    "title",
    "specific",
    "kind",
    "metric",
    "direction",
    "baseline",
    "target",
    "unit",
    "steps",
    "support",
    "focus_area",
    "why_it_matters",
    "start_date",
    "due_date",
    "review_cadence",
)

TRANSITIONS = {
    Status.DRAFT: {Status.ACTIVE, Status.ABANDONED},
    Status.ACTIVE: {Status.ACHIEVED, Status.NOT_ACHIEVED, Status.ABANDONED},
    # A closed goal can be reopened: people change their minds, and mistakes happen.
    Status.ACHIEVED: {Status.ACTIVE},
    Status.NOT_ACHIEVED: {Status.ACTIVE},
    Status.ABANDONED: {Status.ACTIVE},
}


def _is_mentee(actor: User, mentee: MenteeProfile) -> bool:
    return actor.pk == mentee.user_id


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def goal_defaults(*, mentee: MenteeProfile, data: dict) -> dict:
    """The short goal form asks only what, how much and by when; every other SMART part left
    blank is given here, so a goal always has all five (the mentor and mentee change the words
    at a check-in). The one place these defaults live: create and update both come here."""
    data = dict(data)

    def missing(name: str) -> bool:
        return _blank(data.get(name))

    if missing("direction"):
        data["direction"] = Direction.AT_LEAST if data.get("target") is not None else Direction.DONE
    if missing("specific"):
        data["specific"] = data.get("title", "")
    for name in ("kind", "review_cadence"):
        if missing(name):
            data[name] = Goal._meta.get_field(name).get_default()
    if missing("metric"):
        data["metric"] = (data.get("unit") or "").strip() or (
            _("done or not done") if data["direction"] == Direction.DONE else _("times I did it")
        )
    if data["direction"] == Direction.DONE:
        data["target"], data["unit"], data["baseline"] = None, "", Decimal(0)
    else:
        if missing("unit"):
            data["unit"] = _("times")
        if missing("baseline"):
            data["baseline"] = Decimal(0)
    if missing("steps"):
        data["steps"] = _("Agree the steps with my mentor at our next check-in.")
    if missing("support"):
        data["support"] = _("My mentor and my program.")
    if data.get("focus_area") is None:
        data["focus_area"] = (
            FocusArea.objects.filter(program_id=mentee.program_id, is_active=True)
            .order_by("position", "name")
            .first()
        )
        if data["focus_area"] is None:
            raise ValidationError(
                {"focus_area": _("This program has no focus areas yet; ask your coordinator.")}
            )
    if missing("why_it_matters"):
        data["why_it_matters"] = _("It helps my recovery: %(area)s.") % {
            "area": data["focus_area"].name.lower()
        }
    if data.get("start_date") is None:
        data["start_date"] = mentee.program.today()
    return data


@transaction.atomic
def goal_create(*, actor: User, mentee: MenteeProfile, data: dict) -> Goal:
    """A goal the mentee proposes starts as a draft until the mentor agrees; one the mentor
    writes with the mentee is agreed and active at once."""
    data = goal_defaults(mentee=mentee, data=data)
    goal = Goal(mentee=mentee, created_by=actor, **data)
    if not _is_mentee(actor, mentee):
        goal.status = Status.ACTIVE
        goal.agreed_at, goal.agreed_by = timezone.now(), actor
    goal.full_clean()
    goal.save()
    audit_record(actor=actor, action=Action.CREATE, obj=goal, fields=[*data, "status"])
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, data: dict) -> Goal:
    # Blanks get the same defaults as at creation, read against the goal as it stands, so a
    # change of one part (e.g. the steps) leaves the others alone.
    filled = goal_defaults(
        mentee=goal.mentee, data={**{name: getattr(goal, name) for name in GOAL_FIELDS}, **data}
    )
    data = {name: filled[name] for name in data}
    changed = [name for name, value in data.items() if getattr(goal, name) != value]
    if not changed:
        return goal
    for name in changed:
        setattr(goal, name, data[name])
    update = [*changed, "updated_at"]
    if goal.agreed_at and _is_mentee(actor, goal.mentee) and AGREED_FIELDS & set(changed):
        goal.agreed_at = goal.agreed_by = None
        update += ["agreed_at", "agreed_by"]
    goal.full_clean()
    goal.save(update_fields=update)
    audit_record(actor=actor, action=Action.UPDATE, obj=goal, fields=update)
    return goal


@transaction.atomic
def goal_agree(*, actor: User, goal: Goal) -> Goal:
    """The mentor agrees to the plan (steps and support); a draft becomes active."""
    if _is_mentee(actor, goal.mentee):
        raise ValidationError("Your mentor agrees to the plan; you cannot agree for them.")
    if not goal.is_open:
        raise ValidationError("This goal is closed; reopen it first.")
    goal.agreed_at, goal.agreed_by = timezone.now(), actor
    fields = ["agreed_at", "agreed_by", "updated_at"]
    if goal.status == Status.DRAFT:
        goal.status = Status.ACTIVE
        fields.append("status")
    goal.save(update_fields=fields)
    audit_record(actor=actor, action=Action.UPDATE, obj=goal, fields=fields)
    return goal


def goal_current_value(goal: Goal) -> Decimal | None:
    latest = goal.entries.order_by("-recorded_on", "-created_at", "-id").first()
    return latest.value if latest else None


@transaction.atomic
def goal_set_status(*, actor: User, goal: Goal, status: str, reason: str = "", today: date) -> Goal:
    # Lock the row: two people closing the same goal at once must not both pass the rules.
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if status not in TRANSITIONS.get(goal.status, set()):
        raise ValidationError(
            {"status": f"A goal that is {goal.get_status_display().lower()} cannot become that."}
        )
    reason = reason.strip()
    if status == Status.ABANDONED and not reason:
        raise ValidationError({"reason": "Say why the goal is abandoned, in a few words."})
    if status == Status.ACHIEVED and goal.direction != "done":
        _, met = progress_fraction(
            direction=goal.direction,
            baseline=goal.baseline,
            target=goal.target,
            current=goal_current_value(goal),
        )
        if not met:
            raise ValidationError(
                {"status": "Record progress that reaches the target before marking it achieved."}
            )
    goal.status = status
    goal.status_reason = reason if status in Goal.CLOSED else ""
    goal.closed_on = today if status in Goal.CLOSED else None
    goal.save(update_fields=["status", "status_reason", "closed_on", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=goal,
        fields=["status", "status_reason", "closed_on"],
    )
    return goal


@transaction.atomic
def progress_record(
    *, actor: User, goal: Goal, recorded_on: date, value: Decimal, note: str = ""
) -> ProgressEntry:
    if not goal.is_open:
        raise ValidationError("This goal is closed; reopen it to record progress.")
    entry = ProgressEntry(
        goal=goal,
        recorded_on=recorded_on,
        value=value,
        note=note.strip(),
        recorded_by=actor,
        on_behalf=not _is_mentee(actor, goal.mentee),
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=entry,
        fields=["recorded_on", "value", "note", "on_behalf"],
    )
    return entry


@transaction.atomic
def goal_comment_add(*, actor: User, goal: Goal, body: str) -> GoalComment:
    comment = GoalComment(goal=goal, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    audit_record(actor=actor, action=Action.CREATE, obj=comment, fields=["body"])
    return comment


@transaction.atomic
def goal_reviews_set(*, actor: User, checkin: CheckIn, goals) -> list[GoalReview]:
    """Record which of the mentee's goals were reviewed at this check-in (replacing the set)."""
    goals = [g for g in goals if g.mentee_id == checkin.mentee_id]
    keep = {g.pk for g in goals}
    for review in GoalReview.objects.filter(checkin=checkin).exclude(goal_id__in=keep):
        audit_record(actor=actor, action=Action.DELETE, obj=review, fields=["goal", "checkin"])
        review.delete()
    existing = set(GoalReview.objects.filter(checkin=checkin).values_list("goal_id", flat=True))
    created = []
    for goal in goals:
        if goal.pk in existing:
            continue
        review = GoalReview.objects.create(goal=goal, checkin=checkin, reviewed_by=actor)
        audit_record(actor=actor, action=Action.CREATE, obj=review, fields=["goal", "checkin"])
        created.append(review)
    return created


@transaction.atomic
def goal_reviews_withdraw(*, checkin_id: int, actor_id: int | None) -> int:
    """Receiver of checkins.hooks.not_held (connected in GoalsConfig.ready()): a check-in that
    did not take place reviewed no goals, so the goal pages stop listing it."""
    actor = User(pk=actor_id) if actor_id is not None else None
    reviews = list(GoalReview.objects.filter(checkin_id=checkin_id).select_related("goal__mentee"))
    for review in reviews:
        audit_record(actor=actor, action=Action.DELETE, obj=review, fields=["goal", "checkin"])
    GoalReview.objects.filter(pk__in=[r.pk for r in reviews]).delete()
    return len(reviews)


@transaction.atomic
def goal_template_save(*, actor: User, template: GoalTemplate, fields: list[str]) -> GoalTemplate:
    created = template.pk is None
    template.full_clean()
    template.save()
    audit_record(
        actor=actor, action=Action.CREATE if created else Action.UPDATE, obj=template, fields=fields
    )
    return template


# (focus area name, kind, title, metric, unit, direction, suggested target, steps)
DEFAULT_TEMPLATES = [
    (
        "Community and peer connection",
        "life",
        "Attend N meetings a week",
        "meetings attended",
        "meetings a week",
        "at_least",
        3,
        "Pick the meetings on the calendar; ask my mentor to come to the first one.",
    ),
    (
        "Employment and job search",
        "life",
        "Apply to N jobs by DATE",
        "job applications sent",
        "applications",
        "at_least",
        10,
        "Update my CV; visit the job center; apply to two jobs each week.",
    ),
    (
        "Medication adherence",
        "harm_reduction",
        "Take medication daily",
        "days medication taken",
        "days a week",
        "at_least",
        7,
        "Set a phone alarm; keep doses in one place; refill before running out.",
    ),
    (
        "Emotional management and cravings",
        "harm_reduction",
        "Reduce use to at most N days a week",
        "days with any use",
        "days a week",
        "at_most",
        2,
        "Notice triggers; call my mentor before using; carry naloxone.",
    ),
    (
        "Emotional management and cravings",
        "abstinence",
        "Stay substance-free for N days",
        "days substance-free in a row",
        "days",
        "at_least",
        30,
        "Use my coping plan for cravings; go to a meeting when I feel low.",
    ),
    (
        "Housing",
        "life",
        "Move into stable housing by DATE",
        "lease or place secured",
        "",
        "done",
        None,
        "Gather documents; apply to the housing program; visit three places.",
    ),
    (
        "Physical health",
        "life",
        "Go to my health appointments",
        "appointments kept",
        "appointments",
        "at_least",
        3,
        "Book the appointments; set reminders; arrange transport.",
    ),
]


# The default titles in Spanish (N and DATE kept for the mentee to fill in).
SPANISH_TITLES = {
    "Attend N meetings a week": "Ir a N reuniones por semana",
    "Apply to N jobs by DATE": "Enviar N solicitudes de empleo antes de DATE",
    "Take medication daily": "Tomar mis medicamentos cada día",
    "Reduce use to at most N days a week": "Reducir el uso a N días por semana como máximo",
    "Stay substance-free for N days": "Pasar N días sin consumir sustancias",
    "Move into stable housing by DATE": "Mudarme a una vivienda estable antes de DATE",
    "Go to my health appointments": "Ir a mis citas médicas",
}


def goal_templates_for_new_program(*, program_id: int) -> None:
    """The program_created hook's receiver: the default templates (idempotent)."""
    goal_template_seed_defaults(program=Program.objects.get(pk=program_id))


@transaction.atomic
def goal_template_seed_defaults(*, program: Program) -> int:
    """Idempotent: adds missing default templates for focus areas the program still has;
    never touches a coordinator's edits. Returns how many it added."""
    areas = {a.name: a for a in FocusArea.objects.filter(program=program)}
    existing = set(
        GoalTemplate.objects.filter(program=program).values_list("focus_area__name", "title")
    )
    new = [
        GoalTemplate(
            program=program,
            focus_area=areas[area],
            kind=kind,
            title=title,
            title_es=SPANISH_TITLES.get(title, ""),
            metric=metric,
            unit=unit,
            direction=direction,
            suggested_target=target,
            suggested_steps=steps,
            position=position,
        )
        for position, (area, kind, title, metric, unit, direction, target, steps) in enumerate(
            DEFAULT_TEMPLATES
        )
        if area in areas and (area, title) not in existing
    ]
    GoalTemplate.objects.bulk_create(new)
    return len(new)
