"""Which language a person reads: the one answer for pages (the middleware) and e-mails (the
outbox). Order: the person's own choice (saved on the account, or the footer switch's cookie
before they sign in), then the browser's languages, then the program's default, then
settings.LANGUAGE_CODE. Only languages in settings.LANGUAGES are ever returned."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.models import Membership, Program


def supported(code: str | None) -> str | None:
    """`code` as one of settings.LANGUAGES ("es-MX" -> "es"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_resolve(
    *,
    preference: str | None,
    accept_language: str = "",
    program_languages: Callable[[], Iterable[str]] = tuple,
) -> str:
    """The language for one person. `program_languages` is called only when nothing before it
    answered (the middleware's look-up then costs a query only for those people)."""
    if found := supported(preference):
        return found
    for code, _quality in parse_accept_lang_header(accept_language):
        if code != "*" and (found := supported(code)):
            return found
    for code in program_languages():
        if found := supported(code):
            return found
    return supported(settings.LANGUAGE_CODE) or settings.LANGUAGE_CODE


def program_languages_of(user) -> Callable[[], list[str]]:
    """The defaults of the programs the person joined, first joined first (a pending
    enrollment's program counts after them: the invitation is in its language)."""

    def read() -> list[str]:
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .exclude(program__default_language="")
            .order_by("joined_at", "pk")  # NULLs (not joined yet) last in PostgreSQL
            .values_list("program__default_language", flat=True)[:1]
        )

    return read


def language_for_request(request) -> str:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    preference = user.preferred_language if signed_in else None
    return language_resolve(
        preference=preference or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        accept_language=request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        program_languages=program_languages_of(user) if signed_in else tuple,
    )


def language_for_recipient(*, preference: str | None, program: Program) -> str:
    """An e-mail's language: no browser to ask, so the person's choice, then the program the
    message is from (one of theirs; for an invitation, the one inviting them)."""
    return language_resolve(
        preference=preference, program_languages=lambda: [program.default_language]
    )


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself ("Español"), as a person looks for their own."""
    return [
        (code, translation.get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]
