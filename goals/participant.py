"""What goals put on the participant page: goals set, agreed and closed on the timeline (one
query, and none of it for a mentor the mentee's consent does not cover -- the access policy's
`mentor_consent` path). Registered in `GoalsConfig.ready()`."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import MenteeProfile
from goals.models import Goal, GoalReview
from mentorship import access
from mentorship.site import TimelineEntry


def timeline(request, person):
    if not isinstance(person, MenteeProfile):
        return []
    goals = access.scope(request.user, Goal.objects.filter(mentee=person)).only(
        "pk", "title", "status", "created_at", "agreed_at", "closed_on"
    )
    entries = []
    for goal in goals:
        url = reverse("goals:goal_detail", kwargs={"pk": goal.pk})
        entries.append(
            TimelineEntry(
                goal.created_at, _("Goal set: %(title)s") % {"title": goal.title}, url, "goal"
            )
        )
        if goal.agreed_at:
            entries.append(
                TimelineEntry(
                    goal.agreed_at, _("Goal agreed: %(title)s") % {"title": goal.title}, url, "goal"
                )
            )
        if goal.closed_on:
            entries.append(
                TimelineEntry(
                    goal.closed_on,
                    _("Goal %(status)s: %(title)s")
                    % {"status": goal.get_status_display().lower(), "title": goal.title},
                    url,
                    "goal",
                )
            )
    reviews = (
        access.scope(request.user, GoalReview.objects.filter(goal__mentee=person))
        .only("pk", "created_at", "checkin_id", "goal__title")
        .select_related("goal")
    )
    for review in reviews:
        entries.append(
            TimelineEntry(
                review.created_at,
                _("Goal reviewed at a check-in: %(title)s") % {"title": review.goal.title},
                reverse("goals:checkin_review", kwargs={"checkin_pk": review.checkin_id}),
                "goal",
            )
        )
    return entries


def panel(request, person, *, can_change: bool) -> str:
    """Open goals, each with its reviews at check-ins (two queries); nothing for a viewer the
    consent does not cover."""
    if not isinstance(person, MenteeProfile):
        return ""
    open_goals = access.scope(
        request.user, Goal.objects.filter(mentee=person, status__in=Goal.OPEN)
    ).order_by("due_date")
    goals = list(open_goals)
    # The reviews by a subquery, not a prefetch: a prefetch skips its query when there are no
    # goals, and the page's query count would then depend on the mentee's data.
    reviews = (
        GoalReview.objects.filter(goal__in=open_goals.values("pk"))
        .select_related("checkin")
        .order_by("-created_at")
    )
    by_goal = {goal.pk: goal for goal in goals}
    for goal in goals:
        goal.checkin_reviews = []
    for review in reviews:
        if review.goal_id in by_goal:  # not a goal opened between the two queries
            by_goal[review.goal_id].checkin_reviews.append(review)
    if not goals and not can_change:
        return ""
    return render_to_string(
        "goals/_participant_panel.html",
        {"person": person, "goals": goals, "can_change": can_change},
        request=request,
    )
