"""Our only allauth customisation: phone numbers, invitation-only sign-up."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from cpd import selectors, services
from cpd.models import User

log = logging.getLogger(__name__)

INVITATION_SESSION_KEY = "invitation_token"
# A join-link code typed or scanned before signing in; sign-up joins with it.
JOIN_CODE_SESSION_KEY = "join_code"


def login_identifier(request: HttpRequest | None, credentials: dict[str, Any]) -> str:
    """The account a login attempt names, whatever the login path (for django-axes).

    allauth posts ``login`` (email or phone), Django admin posts ``username`` and
    DRF's token endpoint passes ``username`` in the credentials.
    """
    value = ""
    for key in ("login", "email", "phone", "username"):
        value = credentials.get(key) or ""
        if value:
            break
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username") or ""
    return str(value).strip().lower()


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the trusted reverse proxies saw it.

    One rule for every sign-in limit: django-axes (``AXES_CLIENT_IP_CALLABLE``)
    and allauth's rate limits (``AccountAdapter.get_client_ip``). With N proxies
    in front (``DJANGO_PROXY_COUNT``), each appends to X-Forwarded-For, so the
    N-th entry from the right is the address the outermost proxy saw; what the
    client wrote to the left of it is ignored. Without proxies, or without the
    header, it is the socket's address.
    """
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "")


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up only through an invitation; phone numbers live on the user row."""

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's own reading raises (a 500) on a header shorter than the
        # proxy count; ours falls back to the socket address, as axes does.
        return client_ip(request) or super().get_client_ip(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After sign-in, a cohort's privacy notice not yet accepted comes first."""
        target = super().get_login_redirect_url(request)
        from cpd.privacy.selectors import notices_pending

        if notices_pending(request.user):
            return f"{reverse('privacy-notices')}?next={quote(target)}"
        return target

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        token = request.session.get(INVITATION_SESSION_KEY, "")
        invitation = selectors.invitation_by_token(token)
        if invitation and invitation.is_usable:
            return True
        from cpd.invitations.selectors import join_link_by_code

        link = join_link_by_code(request.session.get(JOIN_CODE_SESSION_KEY, ""))
        return bool(link and link.is_usable and not link.cohort.is_archived)

    def save_user(
        self, request: HttpRequest, user: Any, form: Any, commit: bool = True
    ) -> Any:
        # Fill the fields the first INSERT needs (email-or-phone check, name)
        # before allauth saves the row.
        user.phone = form.cleaned_data.get("phone") or None
        user.display_name = form.cleaned_data.get("display_name", "")
        user = super().save_user(request, user, form, commit=commit)
        token = request.session.pop(INVITATION_SESSION_KEY, "")
        invitation = selectors.invitation_by_token(token)
        code = request.session.pop(JOIN_CODE_SESSION_KEY, "")
        if invitation is not None and commit:
            services.invitation_accept(
                invitation=invitation, user=user, signed_up_from_link=True
            )
        elif code and commit:
            from django.contrib import messages
            from django.core.exceptions import ValidationError

            from cpd.invitations.services import join_link_use

            try:
                join_link_use(actor=user, code=code)
            except ValidationError as error:
                # The account stands; the code filled up meanwhile.
                messages.error(request, " ".join(error.messages))
        return user

    # --- phone numbers (allauth's phone login) --------------------------------------
    def set_phone(self, user: AbstractBaseUser, phone: str, verified: bool) -> None:
        assert isinstance(user, User)  # noqa: S101 - allauth passes our user model
        user.phone = phone
        if user.pk:
            user.save(update_fields=["phone"])

    def get_phone(self, user: AbstractBaseUser) -> tuple[str, bool] | None:
        phone = getattr(user, "phone", None)
        return (phone, True) if phone else None

    def set_phone_verified(self, user: AbstractBaseUser, phone: str) -> None:
        """Phone numbers are trusted from the invitation; nothing to record."""

    def get_user_by_phone(self, phone: str) -> AbstractBaseUser | None:
        return User.objects.filter(phone=phone, is_active=True).first()

    def send_verification_code_sms(
        self, user: AbstractBaseUser, phone: str, code: str, **kwargs: Any
    ) -> None:
        # The SMS gateways arrive with notifications; until then codes go to the log.
        log.info("SMS to %s: your verification code is %s", phone, code)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> Any:
    """Too many failed sign-ins for one account: 429, as JSON for the API."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    message = _(
        "Too many failed sign-in attempts for this account. "
        "Wait 5 minutes, then try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "account/lockout.html", {"message": message}, status=429)
