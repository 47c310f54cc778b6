"""Django's LocaleMiddleware, choosing by accounts.languages (the person's saved language
first), so pages and e-mails answer "which language" the same way. After the authentication
middleware: it reads request.user."""

from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from accounts.languages import language_for_request


class PersonLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        translation.activate(language_for_request(request))
        request.LANGUAGE_CODE = translation.get_language()
