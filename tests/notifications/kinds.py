"""For every registered notification kind: how the product queues `count` messages of it
(through the service that queues them for real) and the domain act that withdraws them (a
check-in cancelled, an alert resolved, a match ended, an invitation superseded, an assessment
recorded, an export's file expired). The guarantee tests run once per kind; a kind without an
entry here fails `test_every_registered_kind_is_tested`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time as clock
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts import invitations, second_factor
from accounts import services as accounts
from accounts.models import Membership, MenteeProfile, Program, User
from checkins import emails, services
from checkins.models import Alert, CheckIn, CheckinSettings, ReminderPreference
from matching import notices
from matching import services as matching
from matching.models import Match
from notifications import email_change, password_reset
from notifications import second_factor as second_factor_notice
from notifications.models import Notification
from outcomes import assessments, export_jobs, followup_notices, interviews
from outcomes.models import ExportJob
from tests import factories


@dataclass(frozen=True)
class Maker:
    make: Callable[[int], list[int]]  # count -> ids of due notifications of the kind
    cancel: Callable[[list[int]], None]  # withdraw these through the domain


def _program() -> Program:
    program = factories.ProgramFactory()
    # No quiet hours: the tests must not depend on the time of day they run.
    CheckinSettings.objects.create(program=program, quiet_start=clock(0), quiet_end=clock(0))
    return program


def _due(kind: str) -> list[int]:
    """What the passing of time does: the kind's queued messages are due now."""
    rows = Notification.objects.filter(kind=kind, status="pending")
    moment = timezone.now() - timedelta(minutes=1)
    rows.update(due_at=moment, available_at=moment)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def _about(ids: list[int]) -> list[int]:
    return list(Notification.objects.filter(pk__in=ids).values_list("about_id", flat=True))


def _checkin_reminders(kind: str) -> Maker:
    def make(count: int) -> list[int]:
        match = factories.MatchFactory(program=_program())
        for user in (match.mentee.user, match.mentor.user):
            ReminderPreference.objects.create(user=user, before="both")
        tomorrow = timezone.now().replace(microsecond=0) + timedelta(days=1, hours=3)
        for i in range(count if kind == emails.LOG_NUDGE else (count + 1) // 2):
            checkin = CheckIn.objects.create(
                program=match.program,
                match=match,
                mentee=match.mentee,
                scheduled_at=tomorrow + timedelta(minutes=i),
            )
            services.reminders_plan(checkin=checkin)
        return _due(kind)

    def cancel(ids: list[int]) -> None:
        for checkin in CheckIn.objects.filter(pk__in=_about(ids)).select_related("match__mentor"):
            services.checkin_cancel(actor=checkin.match.mentor.user, checkin=checkin)

    return Maker(make, cancel)


def _alerts(alert_kind: str, kind: str) -> Maker:
    def make(count: int) -> list[int]:
        match = factories.MatchFactory(program=_program())
        factories.make_user_with_role(Membership.Role.COORDINATOR, match.program)
        for i in range(count):
            checkin = CheckIn.objects.create(
                program=match.program,
                match=match,
                mentee=match.mentee,
                scheduled_at=timezone.now() - timedelta(hours=i + 1),
            )
            services.alert_raise(actor=match.mentor.user, kind=alert_kind, checkin=checkin)
        return _due(kind)

    def cancel(ids: list[int]) -> None:
        coordinator = Membership.objects.filter(role="coordinator").first().user
        for alert in Alert.objects.filter(pk__in=_about(ids)):
            services.alert_resolve(actor=coordinator, alert=alert)

    return Maker(make, cancel)


def _invitations() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
        for _ in range(count):
            factories.MenteeProfileFactory(
                program=program, user=factories.UserFactory(password=make_password(None))
            )
        # As enrolled by a coordinator: they join when they accept.
        Membership.objects.filter(program=program).update(joined_at=None)
        invitations.invitations_send_uninvited(program=program, sent_by=coordinator)
        return _due("accounts.invitation")

    def cancel(ids: list[int]) -> None:
        # A coordinator sends a new link: the old one, and its unsent e-mail, are withdrawn.
        for row in Notification.objects.filter(pk__in=ids).select_related("recipient"):
            invitations.invitation_send(user=row.recipient, program=row.program, sent_by=None)

    return Maker(make, cancel)


def _email_change_confirmations() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        for i in range(count):
            mentee = factories.MenteeProfileFactory(program=program)
            accounts.email_change_request(user=mentee.user, new_email=f"new-{i}-{mentee.pk}@x.org")
        return _due(email_change.CONFIRM)

    def cancel(ids: list[int]) -> None:
        # The person asks again: the earlier link, and its unsent e-mail, are withdrawn.
        for row in Notification.objects.filter(pk__in=ids).select_related("recipient"):
            accounts.email_change_request(user=row.recipient, new_email=f"again-{row.pk}@x.org")

    return Maker(make, cancel)


def _email_change(user, new_email: str) -> None:
    """The person asks for a new sign-in address and confirms it from there."""
    change = accounts.email_change_request(user=user, new_email=new_email)
    seed = Notification.objects.get(kind=email_change.CONFIRM, about_id=change.pk).data["seed"]
    accounts.email_change_confirm(user=user, token=accounts.email_change_token(seed))


def _email_changed_notices() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        for i in range(count):
            mentee = factories.MenteeProfileFactory(program=program)
            _email_change(mentee.user, f"new-{i}-{mentee.pk}@x.org")
        return _due(email_change.NOTICE)

    def cancel(ids: list[int]) -> None:
        # The person takes the old address back (confirmed from it): nothing left to tell it.
        for row in Notification.objects.filter(pk__in=ids).select_related("recipient"):
            _email_change(row.recipient, row.data["to"])

    return Maker(make, cancel)


def _match_notices(kind: str) -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        status = Match.Status.PROPOSED if kind == notices.PROPOSED else Match.Status.ACTIVE
        matches = [factories.MatchFactory(program=program, status=status) for _ in range(count)]
        notices.notices_send(
            kind=kind, matches=matches, to_mentee=kind == notices.STARTED, to_mentor=True
        )
        return _due(kind)

    def cancel(ids: list[int]) -> None:
        coordinator = factories.make_user_with_role(Membership.Role.COORDINATOR)
        for match in Match.objects.filter(pk__in=set(_about(ids))):
            matching.match_end(match=match, actor=coordinator, reason=Match.EndReason.OTHER)

    return Maker(make, cancel)


def _assessments() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        for _ in range(count):
            factories.MenteeProfileFactory(program=program, enrolled_on=timezone.now().date())
        assessments.assessment_reminders_plan(program=program)
        return _due(assessments.ASSESSMENT_DUE)

    def cancel(ids: list[int]) -> None:
        for topic in Notification.objects.filter(pk__in=ids).values_list("topic", flat=True):
            _prefix, mentee_id, instrument, week = topic.split(":")
            assessments.assessment_reminders_withdraw(
                keys=[(int(mentee_id), instrument, int(week))]
            )

    return Maker(make, cancel)


def _exports() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        staff = factories.make_user_with_role(Membership.Role.STAFF, program)
        for _ in range(count):
            job = ExportJob.objects.create(
                program=program, requested_by=staff, kind="checkins", fmt="csv"
            )
            export_jobs.export_job_run(job_id=job.pk)
        return _due(export_jobs.EXPORT_READY)

    def cancel(ids: list[int]) -> None:
        ExportJob.objects.filter(pk__in=_about(ids)).update(
            finished_at=timezone.now() - timedelta(days=30)
        )
        export_jobs.export_jobs_expire()

    return Maker(make, cancel)


def _interview_windows(kind: str) -> Maker:
    # Days since intake on which the intake window (day of intake to 30 days after) reaches
    # each moment today: it opens, it closes in a week, it closed yesterday.
    enrolled_days_ago = {
        followup_notices.OPENS: 0,
        followup_notices.CLOSING: 23,
        followup_notices.MISSED: 31,
    }[kind]

    def make(count: int) -> list[int]:
        program = _program()
        factories.make_user_with_role(Membership.Role.COORDINATOR, program)
        enrolled_on = program.today() - timedelta(days=enrolled_days_ago)
        for _ in range(count):
            factories.MenteeProfileFactory(program=program, enrolled_on=enrolled_on)
        followup_notices.followup_notices_plan(program=program)
        return _due(kind)

    def cancel(ids: list[int]) -> None:
        # The person withdrew from the study: nobody seeks them any more.
        for row in Notification.objects.filter(pk__in=ids).select_related("program"):
            mentee = MenteeProfile.objects.get(pk=row.data["mentee_id"])
            interviews.interview_record(
                actor=row.recipient,
                mentee=mentee,
                point=interviews.Point.INTAKE,
                held_on=row.program.today(),
                outcome=interviews.Outcome.WITHDRAWN,
                conducted_by=row.recipient,
            )

    return Maker(make, cancel)


def _password_resets() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        for _ in range(count):
            user = factories.make_user_with_role(Membership.Role.MENTEE, program)
            accounts.password_reset_request(user=user)
        return _due(password_reset.PASSWORD_RESET)

    def cancel(ids: list[int]) -> None:
        # Asked again before the e-mail went out: the new request replaces the unsent one.
        for row in Notification.objects.filter(pk__in=ids).select_related("recipient"):
            accounts.password_reset_request(user=row.recipient)

    return Maker(make, cancel)


def _second_factor_resets() -> Maker:
    def make(count: int) -> list[int]:
        program = _program()
        superuser = factories.UserFactory(is_superuser=True, is_staff=True)
        for _ in range(count):
            user = factories.make_user_with_role(Membership.Role.COORDINATOR, program)
            second_factor.second_factor_reset(actor=superuser, user=user)
        return _due(second_factor_notice.SECOND_FACTOR_RESET)

    def cancel(ids: list[int]) -> None:
        # Reset again before the e-mail went out: the new notice replaces the unsent one.
        superuser = User.objects.filter(is_superuser=True).first()
        for row in Notification.objects.filter(pk__in=ids).select_related("recipient"):
            second_factor.second_factor_reset(actor=superuser, user=row.recipient)

    return Maker(make, cancel)


MAKERS: dict[str, Maker] = {
    emails.BEFORE_24H: _checkin_reminders(emails.BEFORE_24H),
    emails.BEFORE_2H: _checkin_reminders(emails.BEFORE_2H),
    emails.LOG_NUDGE: _checkin_reminders(emails.LOG_NUDGE),
    emails.CRISIS: _alerts(Alert.Kind.CRISIS, emails.CRISIS),
    emails.CONCERN: _alerts(Alert.Kind.CONCERN, emails.CONCERN),
    "accounts.invitation": _invitations(),
    email_change.CONFIRM: _email_change_confirmations(),
    email_change.NOTICE: _email_changed_notices(),
    password_reset.PASSWORD_RESET: _password_resets(),
    notices.PROPOSED: _match_notices(notices.PROPOSED),
    notices.STARTED: _match_notices(notices.STARTED),
    assessments.ASSESSMENT_DUE: _assessments(),
    export_jobs.EXPORT_READY: _exports(),
    followup_notices.OPENS: _interview_windows(followup_notices.OPENS),
    followup_notices.CLOSING: _interview_windows(followup_notices.CLOSING),
    followup_notices.MISSED: _interview_windows(followup_notices.MISSED),
    second_factor_notice.SECOND_FACTOR_RESET: _second_factor_resets(),
}
