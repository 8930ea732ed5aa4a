from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """The language the user chose (cookie set by the language switcher), else
    the site's default (Spanish) — not the browser's, so a team shares one
    default and each person switches when they want."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class WebhookFastPath:
    """Network deliveries (``/webhooks/…``) go straight to their view.

    A delivery carries no session, cookie or user, and its answer is JSON for a
    machine: sessions, authentication, two-factor, CSRF (the views are exempt),
    messages, language, CSP and lockout have nothing to do there, and skipping
    them saves a third of a webhook's CPU. Security headers and the SSL redirect
    (``SecurityMiddleware``, before this one) still apply; an error in the view
    still becomes Django's 500 (each middleware is wrapped by the handler).
    """

    PREFIX = "/webhooks/"
    # Paths resolved already (a network posts to the same few URLs all day), per URLconf.
    CACHE_SIZE = 1024

    def __init__(self, get_response):
        self.get_response = get_response
        self._resolver = None
        self._matches: dict = {}

    def _resolve(self, path: str):
        resolver = get_resolver(get_urlconf())
        if resolver is not self._resolver:  # another URLconf (tests): start afresh
            self._resolver, self._matches = resolver, {}
        match = self._matches.get(path)
        if match is None:
            match = resolver.resolve(path)
            if len(self._matches) >= self.CACHE_SIZE:
                self._matches.clear()
            self._matches[path] = match
        return match

    def __call__(self, request):
        if request.path_info.startswith(self.PREFIX):
            try:
                match = self._resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
