"""Doors out of check-ins: higher apps connect to these in their `AppConfig.ready()`.

Check-ins never import the apps above them (see mentorship.registry); they call these hooks
inside the transaction of the service that made the change, so a reaction that fails rolls the
change back with it.
"""

from mentorship.registry import Hook

# What a check-in now says about use, called by every service that changes it (logging,
# re-logging to correct it, cancelling). Keyword arguments, plain values only:
#   checkin_id: int, program_id: int, mentee_id: int,
#   reported_by_id: int | None  (the user who logged or changed it),
#   use_days: list[date]  (every program-local day on which the check-in now reports use;
#                          empty for "no use", "not discussed", or a check-in that did not happen)
# The whole current answer is passed, not a difference, so a receiver can apply it however
# late, and applying it twice changes nothing.
use_reported = Hook("check-in use report")

# A check-in is now recorded as not having taken place (logged or re-logged as a no-show or
# rescheduled, or cancelled). Called inside the service's transaction, with keyword arguments
#   checkin_id: int, actor_id: int | None  (the user who recorded it)
# so that what higher apps recorded as done at it (goals reviewed) is withdrawn with it.
not_held = Hook("check-in did not take place")
