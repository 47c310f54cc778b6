"""Demo participants: realistic, varied and deterministic (the same data on every machine)."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    ALL_AVAILABILITY,
    Consent,
    FocusArea,
    Gender,
    Language,
    Membership,
    MenteeFocusArea,
    MenteeProfile,
    MentorProfile,
    MentorTraining,
    Philosophy,
    Program,
    StatusChange,
    Substance,
    Training,
    User,
)
from accounts.vocabularies import vocabulary_seed_defaults

DEMO_PASSWORD = "demo-recovery-2026"  # noqa: S105 — printed by seed_demo for local use only
DEMO_DOMAIN = "demo.example"

FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Daniel",
    "Keisha",
    "Luis",
    "Hannah",
    "Tyrone",
    "Mei",
    "Carlos",
    "Rachel",
    "Jamal",
    "Sofia",
    "Ethan",
    "Priya",
    "Marcus",
    "Grace",
    "Diego",
    "Tanya",
    "Kevin",
    "Nadia",
    "Robert",
    "Alicia",
    "Samuel",
    "Yolanda",
    "Brian",
    "Fatima",
    "Derek",
    "Rosa",
    "Andre",
    "Lena",
    "Victor",
]
LAST = [
    "Garcia",
    "Johnson",
    "Nguyen",
    "Williams",
    "Brown",
    "Martinez",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Hall",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Adams",
    "Baker",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Roberts",
]
BIOS = [
    "Five years sober through AA; I work in construction and love helping people find work.",
    "In recovery from opioids since 2019 with buprenorphine. I know the housing maze well.",
    "SMART Recovery facilitator. Cravings pass; I can show you the tools that helped me.",
    "Church-based recovery, eight years. Father of three, rebuilding family was my journey.",
    "Harm reduction saved my life. I meet people where they are, no judgment.",
    "Former nurse, sober four years. Happy to help with health appointments and meds.",
]


CERTIFICATIONS = ["Certified Peer Recovery Specialist (CPRS)", "", "Recovery coach (CCAR)", ""]


def _demo_vocabulary_edits(program: Program) -> None:
    """A coordinator's own additions: one extra focus area, one philosophy no longer offered."""
    FocusArea.objects.get_or_create(
        program=program,
        name="Transportation",
        defaults={"description": "Getting to work, court and appointments.", "position": 20},
    )
    Philosophy.objects.get_or_create(
        program=program,
        name="Celebrate Recovery",
        defaults={
            "description": "Retired in favour of “Faith-based”.",
            "position": 20,
            "is_active": False,
        },
    )


def _demo_status_history(mentee: MenteeProfile, i: int, coordinator: User) -> None:
    """Enrollment for everyone; one mentored mentee withdrew and one comparison mentee finished
    follow-up (chosen among those the matching demo does not pair)."""
    enrolled_at = demo_moment(mentee.program, mentee.enrolled_on)
    changes = [
        StatusChange(
            mentee=mentee,
            from_status="",
            to_status="enrolled",
            reason=StatusChange.Reason.ENROLLED,
            changed_at=enrolled_at,
            changed_by=coordinator,
        )
    ]
    final = {22: ("withdrawn", "Moved out of the area"), 23: ("completed", "Follow-up finished")}
    if i in final:
        status, reason = final[i]
        # Both left some weeks after enrolling, never matched (the matching demo skips them).
        left_on = min(mentee.program.today(), mentee.enrolled_on + timedelta(days=40 + i))
        changes.append(
            StatusChange(
                mentee=mentee,
                from_status="enrolled",
                to_status=status,
                reason=reason,
                changed_at=demo_moment(mentee.program, left_on, hour=11),
                changed_by=coordinator,
            )
        )
        mentee.status = status
        mentee.save(update_fields=["status"])
    StatusChange.objects.bulk_create(changes)


def demo_moment(program: Program, day, *, hour: int = 10) -> datetime:
    """A time of day on `day` in the program's timezone, never later than now: the demo's
    history is dated relative to today so it reads the same whenever it is seeded."""
    at = datetime.combine(day, time(hour), tzinfo=ZoneInfo(program.timezone))
    return min(at, timezone.now())


def enrolled_days_ago(i: int, rng: random.Random) -> int:
    """Mentee i+1 enrolled about a week after mentee i: the first ~6 months ago, the last
    about three weeks ago, so the program has a history and people still waiting."""
    return 178 - 7 * i + rng.randint(0, 4)


def _rng(seed: int = 2020) -> random.Random:
    # MAP's pilot was published in 2020; a fixed seed keeps the demo the same everywhere.
    return random.Random(seed)


def _availability(rng: random.Random, slots: int) -> int:
    mask = 0
    for bit in rng.sample(range(21), slots):
        mask |= 1 << bit
    return mask & ALL_AVAILABILITY


def _user(email: str, first: str, last: str, password_hash: str) -> User:
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "password": password_hash}
    )
    return user


@transaction.atomic
def demo_seed_small() -> tuple[Program, dict[str, str]]:
    """One program, a coordinator, an evaluator, 8 mentors and 24 mentees who enrolled over the
    last six months (dates relative to today, everything else from a fixed seed). Idempotent."""
    rng = _rng()
    program, _ = Program.objects.get_or_create(
        slug="demo",
        defaults={
            "name": "Riverside Peer Mentorship",
            "organization": "Riverside Recovery Center",
            "timezone": "America/Chicago",
        },
    )
    vocabulary_seed_defaults(program=program)
    _demo_vocabulary_edits(program)
    trainings = list(Training.objects.filter(program=program, is_active=True))
    program.required_trainings.set(
        [t for t in trainings if t.name.startswith(("Crisis", "Confidentiality"))]
    )
    password_hash = make_password(DEMO_PASSWORD)

    logins = {}
    for role, email, first, last in [
        (Membership.Role.COORDINATOR, f"coordinator@{DEMO_DOMAIN}", "Corinne", "Okafor"),
        (Membership.Role.STAFF, f"evaluator@{DEMO_DOMAIN}", "Evan", "Lindqvist"),
    ]:
        user = _user(email, first, last, password_hash)
        Membership.objects.get_or_create(user=user, program=program, role=role)
        logins[role.label] = email

    philosophies = list(Philosophy.objects.filter(program=program, is_active=True))
    focus_areas = list(FocusArea.objects.filter(program=program, is_active=True))
    substances = list(Substance.objects.filter(program=program))
    english, spanish = Language.objects.get(code="en"), Language.objects.get(code="es")
    today = program.today()

    for i in range(8):
        email = f"mentor{i + 1}@{DEMO_DOMAIN}"
        user = _user(email, FIRST[i], LAST[i], password_hash)
        Membership.objects.get_or_create(user=user, program=program, role=Membership.Role.MENTOR)
        mentor, created = MentorProfile.objects.get_or_create(
            program=program,
            user=user,
            defaults={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "gender": [Gender.WOMAN, Gender.MAN][i % 2],
                # Mentor 8 is five months into recovery: shown as ineligible under MAP's rule.
                "recovery_since": today - timedelta(days=150 if i == 7 else 365 * (1 + i % 6)),
                "capacity": 2 + i % 3,
                "accepting_new": i != 6,
                "availability": _availability(rng, 6 + i),
                "bio": BIOS[i % len(BIOS)],
                "is_certified_peer_specialist": i % 3 == 0,
                "certifications": CERTIFICATIONS[i % len(CERTIFICATIONS)],
            },
        )
        if created:
            mentor.philosophies.set(rng.sample(philosophies, 1 + i % 2))
            mentor.focus_areas.set(rng.sample(focus_areas, 3))
            mentor.languages.set([english, spanish] if i % 3 == 1 else [english])
            mentor.lived_substances.set(rng.sample(substances[:5], 1 + i % 2))
            done = trainings if i < 6 else trainings[:1]  # the last two miss a required training
            MentorTraining.objects.bulk_create(
                MentorTraining(
                    mentor=mentor, training=t, completed_on=today - timedelta(days=60 + 30 * i)
                )
                for t in done
            )
        if i == 0:
            logins["Mentor"] = email

    coordinator = User.objects.get(email=f"coordinator@{DEMO_DOMAIN}")
    for i in range(24):
        email = f"mentee{i + 1}@{DEMO_DOMAIN}"
        user = _user(
            email, FIRST[(i + 8) % len(FIRST)], LAST[(i * 7 + 3) % len(LAST)], password_hash
        )
        Membership.objects.get_or_create(user=user, program=program, role=Membership.Role.MENTEE)
        arm = MenteeProfile.Arm.COMPARISON if i % 4 == 3 else MenteeProfile.Arm.MENTORED
        mentee, created = MenteeProfile.objects.get_or_create(
            program=program,
            user=user,
            defaults={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "enrolled_on": today - timedelta(days=enrolled_days_ago(i, rng)),
                "recovery_stage": rng.choice(MenteeProfile.Stage.values),
                "preferred_philosophy": rng.choice(philosophies),
                "philosophy_required": i % 5 == 0,
                "gender": [Gender.MAN, Gender.WOMAN, Gender.NONBINARY][i % 3],
                "preferred_mentor_gender": ["", "woman", "man"][i % 3],
                "mentor_gender_required": i % 6 == 1,
                "availability": _availability(rng, 5 + i % 8),
                "referral_source": rng.choice(MenteeProfile.Referral.values),
                "study_arm": arm,
            },
        )
        if created:
            _demo_status_history(mentee, i, coordinator)
            mentee.substances.set(rng.sample(substances[:6], 1 + i % 2))
            mentee.languages.set([spanish] if i % 7 == 2 else [english])
            MenteeFocusArea.objects.bulk_create(
                MenteeFocusArea(mentee=mentee, focus_area=area, priority=3 - n)
                for n, area in enumerate(rng.sample(focus_areas, 1 + i % 3))
            )
            if i % 8 != 5:  # a few mentees still need consent: the coordinator is warned
                Consent.objects.create(
                    mentee=mentee,
                    version=1,
                    covers_checkin_notes=True,
                    covers_use_log=True,
                    covers_goals=True,
                    covers_assessments=True,
                    to_mentor=True,
                    to_program_staff=True,
                    to_evaluation=i % 3 != 0,
                    expires_on=mentee.enrolled_on + timedelta(days=365),
                    expiry_event="When I leave the program",
                    revocation_explained=True,
                    signature_name=user.get_full_name(),
                    signed_at=demo_moment(program, mentee.enrolled_on),
                    recorded_by=coordinator,
                )
        if i == 0:
            logins["Mentee"] = email
    _followup_cohort(program, philosophies, coordinator)
    return program, logins


# Days since intake of the people in their 6-month follow-up: some windows (days 152-242)
# still open, one closing this week, the others closed, so the outcomes dashboard has a rate
# as well as people to find.
FOLLOW_UP_DAYS_AGO = (200, 215, 238, 246, 250, 255, 262, 270)
COMPLETED_AFTER_DAYS = 182  # the program lasts 26 weeks; then follow-up


def _followup_cohort(program: Program, philosophies: list, coordinator: User) -> None:
    """Eight people past the program's 26 weeks, half in each arm. The comparison arm's
    completion is recorded here; the mentored arm's by the matching demo, when their match
    ends (until then they are enrolled, as they were)."""
    rng = _rng(2022)  # its own seed: the 24 mentees above stay as they were
    for n, days_ago in enumerate(FOLLOW_UP_DAYS_AGO, start=1):
        user, _ = User.objects.get_or_create(
            email=f"follow-up-{n}@{DEMO_DOMAIN}",
            defaults={"first_name": "Follow-up", "last_name": f"Participant {n}"},
        )
        Membership.objects.get_or_create(user=user, program=program, role=Membership.Role.MENTEE)
        mentored = n % 2 == 1
        mentee, created = MenteeProfile.objects.get_or_create(
            program=program,
            user=user,
            defaults={
                "first_name": "Follow-up",
                "last_name": f"Participant {n}",
                "enrolled_on": program.today() - timedelta(days=days_ago),
                "study_arm": MenteeProfile.Arm.MENTORED
                if mentored
                else MenteeProfile.Arm.COMPARISON,
                "recovery_stage": rng.choice(MenteeProfile.Stage.values),
                "preferred_philosophy": rng.choice(philosophies),
                "availability": _availability(rng, 10),
                "status": MenteeProfile.Status.ENROLLED,
            },
        )
        if not created:
            continue
        changes = [
            StatusChange(
                mentee=mentee,
                from_status="",
                to_status=MenteeProfile.Status.ENROLLED,
                reason=StatusChange.Reason.ENROLLED,
                changed_at=demo_moment(program, mentee.enrolled_on),
                changed_by=coordinator,
            )
        ]
        if not mentored:
            done_on = mentee.enrolled_on + timedelta(days=COMPLETED_AFTER_DAYS)
            changes.append(
                StatusChange(
                    mentee=mentee,
                    from_status=MenteeProfile.Status.ENROLLED,
                    to_status=MenteeProfile.Status.COMPLETED,
                    reason=StatusChange.Reason.PROGRAM_COMPLETED,
                    changed_at=demo_moment(program, done_on, hour=11),
                    changed_by=coordinator,
                )
            )
            mentee.status = MenteeProfile.Status.COMPLETED
            mentee.save(update_fields=["status"])
        StatusChange.objects.bulk_create(changes)


LARGE_MATCHED = 2_500  # mentees of the large program in an active match for about a year


def large_slug(mentees: int) -> str:
    """The large program's slug: "large" at full size, else one program per scale."""
    return "large" if mentees == 10_000 else f"large-{mentees}"


@transaction.atomic
def demo_seed_large(
    *, mentees: int = 10_000, mentors: int = 3_000, matched: int = LARGE_MATCHED
) -> tuple[Program, dict[str, str]]:
    """A program big enough for benchmarks, built with bulk inserts: its own coordinator and
    evaluator, and the first `matched` mentored mentees enrolled a year or more ago (the
    matches, check-ins, goals and use log of that year are seeded by the apps above)."""
    rng = _rng(7)
    slug = large_slug(mentees)
    program, created = Program.objects.get_or_create(
        slug=slug,
        defaults={"name": "Statewide Benchmark Program", "timezone": "America/New_York"},
    )
    vocabulary_seed_defaults(program=program)
    password_hash = make_password(DEMO_PASSWORD)
    logins = {}
    for role, name, first, last in [
        (Membership.Role.COORDINATOR, "coordinator", "Lars", "Coordinator"),
        (Membership.Role.STAFF, "evaluator", "Lena", "Evaluator"),
    ]:
        email = f"{name}@{slug}.{DEMO_DOMAIN}"
        user = _user(email, first, last, password_hash)
        Membership.objects.get_or_create(user=user, program=program, role=role)
        logins[role.label] = email
    if not created and MenteeProfile.objects.filter(program=program).exists():
        return program, logins
    philosophies = list(Philosophy.objects.filter(program=program))
    focus_areas = list(FocusArea.objects.filter(program=program))
    substances = list(Substance.objects.filter(program=program))
    languages = list(Language.objects.filter(code__in=["en", "es", "vi", "zh"]))
    today = program.today()
    unusable = make_password(None)

    def people(prefix: str, n: int) -> list[User]:
        users = User.objects.bulk_create(
            User(
                email=f"{prefix}{k}@{slug}.{DEMO_DOMAIN}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                password=unusable,
            )
            for k in range(n)
        )
        return users

    mentor_users = people("mentor", mentors)
    mentee_users = people("mentee", mentees)
    Membership.objects.bulk_create(
        [Membership(user=u, program=program, role=Membership.Role.MENTOR) for u in mentor_users]
        + [Membership(user=u, program=program, role=Membership.Role.MENTEE) for u in mentee_users],
        batch_size=5000,
    )
    mentor_rows = MentorProfile.objects.bulk_create(
        (
            MentorProfile(
                program=program,
                user=u,
                first_name=u.first_name,
                last_name=u.last_name,
                gender=rng.choice([Gender.WOMAN, Gender.MAN]),
                recovery_since=today - timedelta(days=rng.randint(90, 4000)),
                capacity=rng.randint(1, 5),
                accepting_new=rng.random() > 0.05,
                availability=_availability(rng, rng.randint(3, 15)),
            )
            for u in mentor_users
        ),
        batch_size=5000,
    )
    mentee_rows = MenteeProfile.objects.bulk_create(
        (
            MenteeProfile(
                program=program,
                user=u,
                first_name=u.first_name,
                last_name=u.last_name,
                # The first `matched` mentees (mentored) have been in the program a year or more.
                enrolled_on=today
                - timedelta(days=rng.randint(372, 400) if k < matched else rng.randint(0, 180)),
                preferred_philosophy=rng.choice(philosophies),
                philosophy_required=rng.random() < 0.1,
                gender=rng.choice([Gender.WOMAN, Gender.MAN, Gender.NONBINARY]),
                preferred_mentor_gender=rng.choice(["", "", "woman", "man"]),
                mentor_gender_required=rng.random() < 0.1,
                availability=_availability(rng, rng.randint(3, 12)),
                study_arm=MenteeProfile.Arm.COMPARISON
                if k >= matched and rng.random() < 0.2
                else MenteeProfile.Arm.MENTORED,
            )
            for k, u in enumerate(mentee_users)
        ),
        batch_size=5000,
    )
    through = MentorProfile.philosophies.through
    through.objects.bulk_create(
        (
            through(mentorprofile=m, philosophy=p)
            for m in mentor_rows
            for p in rng.sample(philosophies, rng.randint(1, 2))
        ),
        batch_size=5000,
    )
    through = MentorProfile.focus_areas.through
    through.objects.bulk_create(
        (
            through(mentorprofile=m, focusarea=f)
            for m in mentor_rows
            for f in rng.sample(focus_areas, 3)
        ),
        batch_size=5000,
    )
    through = MentorProfile.languages.through
    through.objects.bulk_create(
        (
            through(mentorprofile=m, language=lang)
            for m in mentor_rows
            for lang in rng.sample(languages, rng.randint(1, 2))
        ),
        batch_size=5000,
    )
    through = MentorProfile.lived_substances.through
    through.objects.bulk_create(
        (
            through(mentorprofile=m, substance=s)
            for m in mentor_rows
            for s in rng.sample(substances, rng.randint(1, 2))
        ),
        batch_size=5000,
    )
    through = MenteeProfile.languages.through
    through.objects.bulk_create(
        (through(menteeprofile=m, language=rng.choice(languages)) for m in mentee_rows),
        batch_size=5000,
    )
    through = MenteeProfile.substances.through
    through.objects.bulk_create(
        (
            through(menteeprofile=m, substance=s)
            for m in mentee_rows
            for s in rng.sample(substances, rng.randint(1, 2))
        ),
        batch_size=5000,
    )
    MenteeFocusArea.objects.bulk_create(
        (
            MenteeFocusArea(mentee=m, focus_area=f, priority=3 - n)
            for m in mentee_rows
            for n, f in enumerate(rng.sample(focus_areas, rng.randint(1, 3)))
        ),
        batch_size=5000,
    )
    coordinator = User.objects.get(email=logins[Membership.Role.COORDINATOR.label])
    Consent.objects.bulk_create(
        (
            Consent(
                mentee=m,
                version=1,
                covers_checkin_notes=True,
                covers_use_log=True,
                covers_goals=True,
                covers_assessments=True,
                to_mentor=True,
                to_program_staff=True,
                to_evaluation=True,
                expires_on=m.enrolled_on + timedelta(days=730),
                expiry_event="When I leave the program",
                revocation_explained=True,
                signature_name="Signed on paper",
                signed_at=timezone.now(),
                recorded_by=coordinator,
            )
            for m in mentee_rows
        ),
        batch_size=5000,
    )
    return program, logins
