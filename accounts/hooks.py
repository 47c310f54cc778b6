"""Doors out of accounts: higher apps connect to these in their `AppConfig.ready()`.

Accounts never import the apps above them (see mentorship.registry); the hooks run inside the
transaction of the service that made the change.
"""

from mentorship.registry import Hook

# A mentee's enrollment date (day 1 of every outcome window) changed. Called by
# accounts.services.mentee_update inside its transaction, with keyword arguments
#   mentee_id: int, enrolled_on: date  (the new date)
# so that figures counted from day 1 and kept by higher apps are recounted at once.
enrollment_changed = Hook("mentee enrollment date")

# Mentees were enrolled (created, one by the browser's form or many by a CSV import). Called by
# accounts.services.mentee_create and accounts.imports inside their transaction, with keyword
# arguments
#   mentee_ids: list[int]
# so that higher apps keeping a row per mentee from day 1 (the use summary the cohort report and
# exports read) create it at once, and no read has to count a missing one.
mentees_enrolled = Hook("mentees enrolled")

# An invitation was created (a first one, or one that supersedes the person's earlier one).
# Called by accounts.invitations inside the inviting transaction, with keyword arguments
#   invitation: Invitation, seed: str  (the sign-in token is derived from it; never stored)
# The outbox queues the e-mail and withdraws the unsent e-mail of the invitation it supersedes.
invitation_created = Hook("invitation created")

# A superuser reset a person's second factor (all their TOTP, passkeys and recovery codes are
# gone). Called by accounts.second_factor.second_factor_reset inside its transaction, with
# keyword arguments
#   user: User, program: Program | None  (a program the person belongs to, None if none)
# so that the outbox tells the person (who may not have asked for it).
second_factor_reset = Hook("second factor reset")
# A person asked to sign in with a new e-mail address. Called by
# accounts.services.email_change_request inside its transaction, with keyword arguments
#   change: EmailChange, seed: str  (the confirmation token is derived from it; never stored)
# The outbox sends the confirmation link to the new address (and withdraws an unsent earlier one).
email_change_requested = Hook("e-mail change requested")

# A person's sign-in e-mail changed (confirmed from the new address). Called by
# accounts.services.email_change_confirm inside its transaction, with keyword arguments
#   user: User, old_email: str
# The outbox tells the old address, so a change the person did not make is noticed.
email_changed = Hook("e-mail changed")

# A person asked for a password reset link on the sign-in page (an active account with a
# password had the address typed). Called by accounts.services.password_reset_request inside its
# transaction, with keyword arguments
#   user: User, program: Program  (a program the person joined: the message is filed under it)
# The outbox queues the e-mail; its link (Django's uid + token) is built when it is sent, so the
# token is never stored.
password_reset_requested = Hook("password reset requested")

# A program was created (by `manage.py create_program`, the superuser's page or the admin).
# Called by accounts.programs.program_set_up inside the creating transaction, with keyword
# arguments
#   program_id: int
# so that higher apps give it their defaults (goal templates, outcome settings) and the new
# program works, e.g. for an import, without another step. Receivers must be idempotent.
program_created = Hook("program created")

# A program's timezone changed: every program day from now on is counted in the new zone.
# Called by accounts.services.program_settings_update inside its transaction, with keyword
# arguments
#   program_id: int
# so that figures higher apps stored per program day (the use summaries' activity figures)
# are not read as current while they were counted in the old zone.
program_timezone_changed = Hook("program timezone changed")
