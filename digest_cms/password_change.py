"""Changing one's own password in the admin: a wrong current password counts as a failed login.

With a stolen session an attacker could otherwise try passwords against the change form without
limit. Each wrong current password is reported to django-axes as a failed login for that account
from that address, so the fifth locks the pair out (the lockout page, 429) — of the change form and
of logging in alike — and from then on the form does not even check the password. A change that
succeeds clears the count, as a successful login does. Every refusal and every change is logged.
"""

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from .client_ip import client_ip
from .lockout import lockout_response

logger = logging.getLogger("digest_cms.security")


def _credentials(user) -> dict:
    return {"username": user.get_username()}


class ThrottledPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change form; a wrong current password is reported to django-axes."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    @sensitive_variables("old_password")
    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except ValidationError:
            user_login_failed.send(sender=__name__, credentials=_credentials(self.user), request=self.request)
            logger.warning(
                "password change refused: wrong current password user=%s address=%s",
                self.user.get_username(),
                client_ip(self.request),
            )
            raise


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def post(self, request, *args, **kwargs):
        if AxesProxyHandler.is_locked(request, _credentials(request.user)):
            logger.warning(
                "password change refused: locked out user=%s address=%s",
                request.user.get_username(),
                client_ip(request),
            )
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        AxesProxyHandler.reset_attempts(ip_address=client_ip(self.request), username=form.user.get_username())
        logger.info("password changed user=%s address=%s", form.user.get_username(), client_ip(self.request))
        return response
