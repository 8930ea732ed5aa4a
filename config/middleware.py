from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.PREFIX):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
