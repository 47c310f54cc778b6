"""Factories for every model. Tests build exactly the world they need."""

from datetime import timedelta
from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import (
    Consent,
    Membership,
    MenteeProfile,
    MentorProfile,
    Program,
    User,
)
from accounts.vocabularies import vocabulary_seed_defaults
from matching.models import Match

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


@cache
def password_hash() -> str:
    # Argon2 is deliberately slow; hash the shared test password once per run.
    return make_password(PASSWORD)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    organization = "Riverside Recovery Center"
    timezone = "America/Chicago"

    @factory.post_generation
    def vocabularies(program, create, extracted, **kwargs):
        if create and extracted is not False:
            vocabulary_seed_defaults(program=program)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.LazyFunction(password_hash)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    role = Membership.Role.MENTEE


class MentorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorProfile
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    # The program's name for the person: by default the one the account has (as migrated).
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")
    recovery_since = factory.LazyFunction(lambda: timezone.now().date() - timedelta(days=800))
    capacity = 3

    @factory.post_generation
    def membership(mentor, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                user=mentor.user, program=mentor.program, role=Membership.Role.MENTOR
            )


class MenteeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenteeProfile
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    # The program's name for the person: by default the one the account has (as migrated).
    first_name = factory.SelfAttribute("user.first_name")
    last_name = factory.SelfAttribute("user.last_name")
    enrolled_on = factory.LazyFunction(lambda: timezone.now().date() - timedelta(days=10))

    @factory.post_generation
    def membership(mentee, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                user=mentee.user, program=mentee.program, role=Membership.Role.MENTEE
            )


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    mentee = factory.SubFactory(MenteeProfileFactory)
    version = factory.Sequence(lambda n: n + 1)
    covers_checkin_notes = True
    covers_use_log = True
    covers_goals = True
    covers_assessments = True
    to_mentor = True
    to_program_staff = True
    to_evaluation = True
    expiry_event = "When I leave the program"
    revocation_explained = True
    signature_name = factory.LazyAttribute(lambda c: c.mentee.user.get_full_name() or "Signed")


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    program = factory.SubFactory(ProgramFactory)
    mentee = factory.SubFactory(MenteeProfileFactory, program=factory.SelfAttribute("..program"))
    mentor = factory.SubFactory(MentorProfileFactory, program=factory.SelfAttribute("..program"))
    status = Match.Status.ACTIVE
    started_at = factory.LazyFunction(timezone.now)


def make_user_with_role(role: str, program: Program | None = None) -> User:
    """A user holding `role` in `program` (a new one by default), with the profile the role needs."""
    program = program or ProgramFactory()
    if role == Membership.Role.MENTOR:
        return MentorProfileFactory(program=program).user
    if role == Membership.Role.MENTEE:
        return MenteeProfileFactory(program=program).user
    user = UserFactory()
    MembershipFactory(user=user, program=program, role=role)
    return user


# --- matching ------------------------------------------------------------------------------


class NeverPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "matching.NeverPair"

    program = factory.SubFactory(ProgramFactory)
    mentee = factory.SubFactory(MenteeProfileFactory, program=factory.SelfAttribute("..program"))
    mentor = factory.SubFactory(MentorProfileFactory, program=factory.SelfAttribute("..program"))
    reason = "household"


# --- checkins


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "checkins.Schedule"

    match = factory.SubFactory(MatchFactory)
    cadence = "weekly"
    starts_on = factory.LazyFunction(lambda: timezone.now().date())
    mode = "phone"


class CheckInFactory(factory.django.DjangoModelFactory):
    """An individual check-in of a match (planned, unless told otherwise)."""

    class Meta:
        model = "checkins.CheckIn"

    match = factory.SubFactory(MatchFactory)
    program = factory.SelfAttribute("match.program")
    mentee = factory.SelfAttribute("match.mentee")
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    mode = "phone"


# --- goals (appended by the goals app)

from accounts.models import FocusArea  # noqa: E402


def _first_focus_area(program):
    return FocusArea.objects.filter(program=program).order_by("position", "pk").first()


class GoalFactory(factory.django.DjangoModelFactory):
    """An active "at least" goal: from 0 to 10 job applications over 8 weeks from 4 weeks ago."""

    class Meta:
        model = "goals.Goal"

    mentee = factory.SubFactory(MenteeProfileFactory)
    title = "Apply to 10 jobs"
    specific = "Send applications for warehouse and kitchen jobs."
    metric = "job applications sent"
    unit = "applications"
    direction = "at_least"
    baseline = 0
    target = 10
    steps = "Update my CV; two applications a week."
    support = "My mentor and the job center."
    focus_area = factory.LazyAttribute(lambda g: _first_focus_area(g.mentee.program))
    why_it_matters = "Work gives my days structure."
    start_date = factory.LazyFunction(lambda: timezone.now().date() - timedelta(weeks=4))
    due_date = factory.LazyFunction(lambda: timezone.now().date() + timedelta(weeks=4))
    status = "active"


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "goals.ProgressEntry"

    goal = factory.SubFactory(GoalFactory)
    recorded_on = factory.LazyFunction(lambda: timezone.now().date())
    value = 1
    recorded_by = factory.LazyAttribute(lambda e: e.goal.mentee.user)


class GoalTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "goals.GoalTemplate"

    program = factory.SubFactory(ProgramFactory)
    focus_area = factory.LazyAttribute(lambda t: _first_focus_area(t.program))
    title = factory.Sequence(lambda n: f"Attend N meetings a week ({n})")
    metric = "meetings attended"
    unit = "meetings a week"
    direction = "at_least"
    suggested_target = 3


# --- outcomes (use days are written through outcomes.services, the only writer of UseDay)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "outcomes.Assessment"

    mentee = factory.SubFactory(MenteeProfileFactory)
    instrument = "barc10"
    week = 0
    answers = factory.LazyFunction(lambda: [4] * 10)
    total = factory.LazyAttribute(lambda a: sum(a.answers))
    # As the service stores them: a BARC-10's one score is its total.
    scores = factory.LazyAttribute(lambda a: {"total": a.total})
    completed_on = factory.LazyAttribute(lambda a: a.mentee.enrolled_on)
