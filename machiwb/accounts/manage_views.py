"""Managing staff accounts: invitations and roles (職員アカウントの管理)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from machiwb.accounts import login_flow, selectors, services
from machiwb.accounts.access import access_municipality_for_account_admin
from machiwb.accounts.decorators import operator_required, request_user, staff_required
from machiwb.accounts.forms import (
    AcceptExistingForm,
    AcceptNewForm,
    InviteForm,
    OperatorInviteForm,
    RoleForm,
)
from machiwb.accounts.models import Invitation, Membership, Role, User
from machiwb.core import ratelimit
from machiwb.regions.models import Municipality


def _invite_and_send(
    request: HttpRequest, *, municipality: Municipality, email: str, role: Role
) -> bool:
    try:
        invitation, token = services.invitation_create(
            actor=request_user(request), municipality=municipality, email=email, role=role
        )
    except services.AccountRuleError as error:
        messages.error(request, str(error))
        return False
    accept_url = request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))
    services.invitation_send(invitation=invitation, token=token, accept_url=accept_url)
    messages.success(
        request,
        _("%(email)s に招待メールを送りました（%(days)s日間有効）。")
        % {"email": invitation.email, "days": services.INVITATION_DAYS},
    )
    return True


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def members_view(request: HttpRequest, municipality_code: str) -> HttpResponse:
    """A municipality's staff, open invitations, and the invitation form (admins, operators)."""
    user = request_user(request)
    municipality = access_municipality_for_account_admin(
        user=user, municipality_code=municipality_code
    )
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = _invite_and_send(
            request,
            municipality=municipality,
            email=form.cleaned_data["email"],
            role=Role(form.cleaned_data["role"]),
        )
        if sent:
            return redirect("accounts:members", municipality_code=municipality.code)
    return render(
        request,
        "accounts/members.html",
        {
            "municipality": municipality,
            "memberships": selectors.membership_list(municipality=municipality),
            "invitations": selectors.invitation_open_list(municipality=municipality),
            "form": form,
            "role_choices": Role.choices,
            "nav_section": "accounts",
        },
    )


def _member(municipality: Municipality, public_id: uuid.UUID) -> User:
    membership = (
        Membership.objects.filter(municipality=municipality, user__public_id=public_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


@staff_required
@require_POST
def member_role_view(
    request: HttpRequest, municipality_code: str, public_id: uuid.UUID
) -> HttpResponse:
    user = request_user(request)
    municipality = access_municipality_for_account_admin(
        user=user, municipality_code=municipality_code
    )
    member = _member(municipality, public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("権限の値が正しくありません。"))
    else:
        try:
            services.membership_role_change(
                actor=user,
                municipality=municipality,
                member=member,
                role=Role(form.cleaned_data["role"]),
            )
            messages.success(
                request, _("%(email)s の権限を変更しました。") % {"email": member.email}
            )
        except services.AccountRuleError as error:
            messages.error(request, str(error))
    return redirect("accounts:members", municipality_code=municipality.code)


@staff_required
@require_POST
def member_remove_view(
    request: HttpRequest, municipality_code: str, public_id: uuid.UUID
) -> HttpResponse:
    user = request_user(request)
    municipality = access_municipality_for_account_admin(
        user=user, municipality_code=municipality_code
    )
    member = _member(municipality, public_id)
    try:
        services.membership_remove(actor=user, municipality=municipality, member=member)
        messages.success(request, _("%(email)s を職員から外しました。") % {"email": member.email})
    except services.AccountRuleError as error:
        messages.error(request, str(error))
    return redirect("accounts:members", municipality_code=municipality.code)


@staff_required
@require_POST
def invitation_revoke_view(
    request: HttpRequest, municipality_code: str, public_id: uuid.UUID
) -> HttpResponse:
    user = request_user(request)
    municipality = access_municipality_for_account_admin(
        user=user, municipality_code=municipality_code
    )
    invitation = Invitation.objects.filter(municipality=municipality, public_id=public_id).first()
    if invitation is None:
        raise Http404
    services.invitation_revoke(actor=user, invitation=invitation)
    messages.success(
        request, _("%(email)s への招待を取り消しました。") % {"email": invitation.email}
    )
    return redirect("accounts:members", municipality_code=municipality.code)


@never_cache
@operator_required
@require_http_methods(["GET", "POST"])
def operator_accounts_view(request: HttpRequest) -> HttpResponse:
    """Operators invite a municipality's first admin (自治体管理者の作成)."""
    form = OperatorInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        municipality = form.cleaned_data["municipality_code"]
        if _invite_and_send(
            request, municipality=municipality, email=form.cleaned_data["email"], role=Role.ADMIN
        ):
            return redirect("accounts:operator_accounts")
    return render(
        request,
        "accounts/operator_accounts.html",
        {
            "form": form,
            "invitations": selectors.invitation_open_list()[:200],
            "nav_section": "accounts",
        },
    )


@sensitive_post_parameters("password", "password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit.ratelimit(key="ip", rate="20/m", group="invitation-accept")
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: set a password (new account) or confirm the existing one."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None and not existing.is_active:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form: AcceptNewForm | AcceptExistingForm
    if existing is None:
        form = AcceptNewForm(request.POST or None, email=invitation.email)
    else:
        form = AcceptExistingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if existing is not None and not existing.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("パスワードが正しくありません。"))
        else:
            try:
                with transaction.atomic():
                    user = services.invitation_accept(
                        invitation=invitation,
                        user=existing,
                        password=form.cleaned_data.get("password1", ""),
                        display_name=form.cleaned_data.get("display_name", ""),
                    )
            except services.AccountRuleError as error:
                messages.error(request, str(error))
                return redirect("accounts:login")
            login_flow.pending_user_set(request, user)
            return redirect("accounts:verify" if user_has_device(user) else "accounts:enrol")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing is not None},
    )
