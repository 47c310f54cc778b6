"""Role x URL cases for the security page (second factor) and the second step of sign-in.

Every signed-in person has the same page about their own account; the world's people have no
second factor and are inside their grace period, so nothing redirects them."""

from tests.urlcases import Case, everyone

CASES: list = [
    Case("security:index", everyone(200)),
    Case("security:totp_setup", everyone(200)),
    Case("security:totp_setup", everyone(200), method="post", data=lambda w: {"code": "000000"}),
    Case("security:totp_remove", everyone(302), method="post"),
    Case("security:recovery_codes", everyone(302), method="post"),
    Case("security:passkey_added", everyone(302), method="post"),
    Case("security:passkey_remove", everyone(302), method="post", kwargs=lambda w: {"pk": 1}),
    # Nothing to verify without a second factor: straight on.
    Case("security:verify", everyone(302)),
    Case("security:passkey_register_begin", everyone(200), method="post"),
    Case("security:passkey_verify_begin", everyone(200), method="post"),
    # No ceremony was begun in this session.
    Case("security:passkey_register_complete", everyone(400), method="post"),
    Case("security:passkey_verify_complete", everyone(400), method="post"),
]

# A new program: superusers only (none of the matrix's roles is one).
CASES += [
    Case("accounts:program_create", everyone(403)),
    Case("accounts:program_create", everyone(403), method="post", data=lambda w: {"name": "X"}),
]
