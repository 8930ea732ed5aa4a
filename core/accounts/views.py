"""Signing in (password, then a code when the account has a device), the
security page (two-factor set-up, backup codes, password change) and the
password reset by e-mail."""

import logging
import time
from urllib.parse import urlencode, urlsplit

import qrcode
import qrcode.image.svg
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from core import roles
from core.accounts import profile, services
from core.accounts.forms import CodeForm, MostradorPasswordResetForm, TwoFactorDisableForm
from core.accounts.lockout import lockout_failure_record, lockout_is_locked, lockout_response
from core.accounts.middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from core.accounts.network import client_ip
from core.pages import role_required

log = logging.getLogger(__name__)


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _start_session_clock(request) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


class SignInView(auth_views.LoginView):
    """The password step. The account is signed in, but one with a device is
    only half signed in until it gives a code (TwoFactorMiddleware)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _start_session_clock(self.request)
        user = form.get_user()
        if services.two_factor_enabled(user=user):
            return redirect(f"{reverse('accounts:two-factor-code')}?{self._next_query()}")
        if services.two_factor_required(user=user):
            messages.info(self.request, _("Your role requires two-factor sign-in: set it up to continue."))
            return redirect("accounts:two-factor-setup")
        return response

    def _next_query(self) -> str:
        return urlencode({"next": self.get_success_url()})


@sensitive_post_parameters("code")
@never_cache
def two_factor_code(request):
    """The second step: a code from the app, or a backup code. Wrong codes
    count towards the lockout like wrong passwords."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    next_url = _next_url(request, reverse(settings.LOGIN_REDIRECT_URL))
    if user.is_verified() or not services.two_factor_enabled(user=user):
        return redirect(next_url)
    username = user.get_username()
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if lockout_is_locked(request=request, username=username):
            logout(request)
            return lockout_response(request, None, {"username": username})
        if form.is_valid():
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                request.session.cycle_key()
                _start_session_clock(request)
                return redirect(next_url)
        if lockout_failure_record(request=request, username=username):
            logout(request)  # AxesMiddleware answers with the lockout page
        form.add_error("code", _("That code is not valid. Check the time on your phone, or use a backup code."))
    return render(request, "accounts/two_factor_code.html", {"form": form, "next": next_url})


# The security pages are for people who use Mostrador: a signed-in account
# without a role gets 403 here as everywhere else.
has_role = role_required(roles.can_view_inbox)


@require_GET
@has_role
def security(request):
    user = request.user
    context = {
        "two_factor_enabled": services.two_factor_enabled(user=user),
        "two_factor_required": services.two_factor_required(user=user),
        "backup_codes_left": services.backup_codes_left(user=user),
        "disable_form": TwoFactorDisableForm(user=user),
        # Per-person settings of the apps above (the weekly report e-mail).
        "sections": profile.sections_render(request),
    }
    return render(request, "accounts/security.html", context)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    # Drawn here from our own data, no user input: safe to inline.
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@has_role
def two_factor_setup(request):
    """Scan the QR code (or type the key), confirm with a code, get backup codes."""
    user = request.user
    if services.two_factor_enabled(user=user):
        return redirect("accounts:security")
    device = services.totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.totp_device_confirm(user=user, code=form.cleaned_data["code"])
        if confirmed is not None:
            otp_login(request, confirmed)
            request.session.cycle_key()
            codes = services.backup_codes_issue(user=user)
            messages.success(request, _("Two-factor sign-in is on."))
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error("code", _("That code is not valid. Check the time on your phone and try the next one."))
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": services.totp_device_secret(device=device),
        "required": services.two_factor_required(user=user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@sensitive_post_parameters("password", "code")
@require_POST
@has_role
def two_factor_disable(request):
    user = request.user
    if services.two_factor_required(user=user):
        messages.error(request, _("Your role requires two-factor sign-in: it cannot be turned off."))
        return redirect("accounts:security")
    form = TwoFactorDisableForm(request.POST, user=user)
    if form.is_valid() and services.two_factor_verify(user=user, code=form.cleaned_data["code"]) is not None:
        services.two_factor_disable(user=user)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("accounts:security")
    if lockout_failure_record(request=request, username=user.get_username()):
        logout(request)
        return lockout_response(request, None, {"username": user.get_username()})
    messages.error(request, _("Wrong password or code: two-factor sign-in is still on."))
    return redirect("accounts:security")


@require_POST
@has_role
def backup_codes_renew(request):
    user = request.user
    if not services.two_factor_enabled(user=user):
        return redirect("accounts:security")
    codes = services.backup_codes_issue(user=user)
    return render(request, "accounts/backup_codes.html", {"codes": codes})


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, whether the address belongs to someone or not,
    and at most a few e-mails per address per hour."""

    form_class = MostradorPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_email.txt"
    html_email_template_name = "accounts/email/password_reset_email.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if services.password_reset_allowed(email=email, client_address=client_ip(self.request)):
            # Links point at MOSTRADOR_BASE_URL, not at whatever Host the request named.
            base = urlsplit(settings.MOSTRADOR_BASE_URL or "")
            domain = base.netloc or None
            use_https = base.scheme == "https" if domain else self.request.is_secure()
            form.save(
                domain_override=domain,
                subject_template_name=self.subject_template_name,
                email_template_name=self.email_template_name,
                use_https=use_https,
                token_generator=self.token_generator,
                from_email=self.from_email,
                request=self.request,
                html_email_template_name=self.html_email_template_name,
                extra_email_context={"site_name": "Mostrador"},
            )
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts a lockout of
    the account: whoever reads its mail is its owner."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        log.info("Password reset for user %s; lockouts lifted", form.user.pk)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@method_decorator(has_role, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    http_method_names = ["get", "post"]
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response
