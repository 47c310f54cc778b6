"""What matching tells lower layers about pairings, without them importing matching.

- `matched_mentee_ids` is the "matched_mentee_ids" rule of the kernel's access policy: a mentor
  reaches the mentees of their *active* matches (a paused or ended match shows nothing).
- `open_match_ids` is the "open_match_ids" rule: the matches a mentor still reaches as theirs
  (proposed, active, paused); an ended match is gone for its former mentor, while coordinators
  keep seeing it.
- `current_matches` is what the participant lists in accounts show and filter by: the matches
  that still hold a mentor's place.

Both are registered in `MatchingConfig.ready()`.
"""

from django.db.models import QuerySet

from accounts.models import Consent, MenteeProfile
from matching.models import Match


def matched_mentee_ids(user, consent_flag: str | None = None) -> QuerySet:
    """Subquery of the mentee ids in an active match with one of the user's mentor profiles;
    with `consent_flag` (e.g. "covers_use_log"), only mentees whose consent in force covers it
    and names the mentor as recipient."""
    # One filter() call: status and mentor are conditions on the same match row.
    mentees = MenteeProfile.objects.filter(
        matches__status=Match.Status.ACTIVE,
        matches__mentor__user=user,
        matches__mentor__is_active=True,
    )
    if consent_flag:
        consents = Consent.objects.filter(
            Consent.active_q(), **{consent_flag: True, "to_mentor": True}
        )
        mentees = mentees.filter(pk__in=consents.values("mentee_id"))
    return mentees.values("pk")


def open_match_ids(user) -> QuerySet:
    """Subquery of the ids of the matches with the user as mentor that have not ended."""
    return Match.objects.filter(mentor__user=user).exclude(status=Match.Status.ENDED).values("pk")


def current_matches() -> QuerySet:
    """Matches that still pair a mentee with a mentor (active or paused)."""
    return Match.objects.filter(status__in=Match.CURRENT)
