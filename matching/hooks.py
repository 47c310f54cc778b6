"""Doors out of matching: higher apps connect to these in their `AppConfig.ready()`.

Matching never imports the apps above it (see mentorship.registry); the hooks run inside the
transaction of the service that made the change.
"""

from mentorship.registry import Hook

# A match ended (or was withdrawn). Called by matching.services inside the transaction that
# ends it, with keyword arguments
#   match_id: int, actor_id: int | None  (the user who ended it)
# so that what higher apps planned for the pair (check-ins to come) is called off with it.
match_ended = Hook("match ended")
