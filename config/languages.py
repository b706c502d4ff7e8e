"""Which language an answer speaks (API.md, "Languages").

Django's LocaleMiddleware activates the language of `Accept-Language` (English,
`LANGUAGE_CODE`, for one it does not know) and names the one used in
`Content-Language`. Two hooks then follow the signed-in person's own
`language`: the API's authentication (accounts/authentication.py) when the
request sent no `Accept-Language`, and `AdminLanguageMiddleware` on every
admin page. Whoever they are is known only after authentication, so both
run after it; `Content-Language` is set on the way out, so it names the
language really used.
"""

from django.conf import settings
from django.middleware import locale
from django.utils import translation

# Machines that read no text: health probes and metrics scrapes skip the
# negotiation (the request's fixed cost, which the benchmark's ceiling measures).
PROBE_PREFIXES = ("/health", "/metrics")


def default_language() -> str:
    """A new user's or client's language: `LANGUAGE_CODE` (a callable, so the
    migration does not freeze one deployment's value)."""
    return settings.LANGUAGE_CODE


def is_supported(language) -> bool:
    return language in dict(settings.LANGUAGES)


def names_a_language(request) -> bool:
    """Whether the request says which language it wants: an `Accept-Language`
    header that is neither blank nor `*` (any language will do)."""
    return request.META.get("HTTP_ACCEPT_LANGUAGE", "").strip() not in {"", "*"}


def speak(request, language) -> None:
    """Answer `request` in `language` from here on (nothing for a code outside LANGUAGES)."""
    if not is_supported(language):
        return
    translation.activate(language)
    getattr(request, "_request", request).LANGUAGE_CODE = language  # a DRF Request wraps Django's


def follow_caller(request, user) -> None:
    """The API's rule: `Accept-Language` first, else the caller's own `language`."""
    if not names_a_language(request):
        speak(request, getattr(user, "language", None))


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware (Accept-Language in, Content-Language out),
    except for probes, which are answered in LANGUAGE_CODE."""

    def __call__(self, request):
        if request.path_info.startswith(PROBE_PREFIXES) and not self.async_mode:
            translation.deactivate()  # not the language a previous request left in this thread
            return self.get_response(request)
        return super().__call__(request)


class AdminLanguageMiddleware:
    """After AuthenticationMiddleware: the admin speaks its signed-in user's
    `language`, whatever the browser asks (the sign-in page follows the browser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_authenticated:
            speak(request, getattr(user, "language", None))
        return self.get_response(request)


class LanguageOmittedKeepsItMixin:
    """For the admin's forms with a `language` select: a post that leaves it
    out (a script, an older page) keeps the record's language, a new record
    LANGUAGE_CODE, instead of failing as a missing field. A browser's select
    always sends one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.add_prefix("language")
        if self.is_bound and "language" in self.fields and name not in self.data:
            self.data = self.data.copy()
            self.data[name] = getattr(self.instance, "language", "") or default_language()
