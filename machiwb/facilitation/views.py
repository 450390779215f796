"""Pages of the facilitator programme: public list, ① application, ② matching, ③ workshop,
④ reports, and the operator's registry and yearly export. Views parse input, pass one gate
and call one service or selector."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machiwb.accounts.access import access_municipality_for_staff
from machiwb.accounts.decorators import operator_required, staff_required
from machiwb.accounts.models import Role, User
from machiwb.core.wareki import fiscal_year_label
from machiwb.facilitation import export, selectors, services
from machiwb.facilitation.access import (
    access_dispatch_by_public_id,
    can_view_dispatch,
    dispatch_actors,
)
from machiwb.facilitation.forms import (
    DispatchApplicationForm,
    FacilitatorForm,
    MarkPaidForm,
    MatchFilterForm,
    OptionalReasonForm,
    ProposeForm,
    ReasonForm,
    ReportForm,
    add_service_errors,
)
from machiwb.facilitation.models import (
    KINDS_AFTER_STAFF_WORKSHOP,
    DispatchState,
    ReportRole,
    WorkshopKind,
)
from machiwb.facilitation.programme import (
    STANDARD_PROGRAMME,
    material_links,
    municipality_tool_links,
)
from machiwb.facilitation.workflow import LABELS, Transition, available_transitions

NAV = "facilitation"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the decorators admit signed-in users only
    return user


def _site(request: HttpRequest) -> str:
    """This site's root URL, for absolute links in e-mails."""
    return request.build_absolute_uri("/")


def _detail(dispatch_id: uuid.UUID) -> HttpResponse:
    return redirect("facilitation:dispatch", public_id=dispatch_id)


@require_GET
def facilitator_list(request: HttpRequest) -> HttpResponse:
    """Public list: name, regions and specialties only (公開ファシリテーター一覧)."""
    return render(
        request,
        "facilitation/facilitator_list.html",
        {"nav_section": NAV, "facilitators": selectors.facilitator_public_list()},
    )


@staff_required
@require_GET
def dispatch_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's applications (staff) and assignments (facilitators)."""
    user = _user(request)
    return render(
        request,
        "facilitation/dispatch_list.html",
        {
            "nav_section": NAV,
            "municipalities": selectors.municipalities_where_staff_may_apply(user=user),
            "applications": selectors.dispatch_list_for_staff(user=user),
            "assignments": selectors.dispatch_list_for_facilitator(user=user),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def dispatch_apply(request: HttpRequest, code: str) -> HttpResponse:
    """① 派遣申請: editors and admins of the municipality apply."""
    user = _user(request)
    municipality = access_municipality_for_staff(
        user=user, municipality_code=code, minimum=Role.EDITOR
    )
    held = services.staff_workshop_held(municipality=municipality)
    form = DispatchApplicationForm(
        request.POST or None, unavailable=() if held else KINDS_AFTER_STAFF_WORKSHOP
    )
    if request.method == "POST" and form.is_valid():
        try:
            dispatch = services.dispatch_submit(
                user=user,
                municipality=municipality,
                kind=WorkshopKind(form.cleaned_data["kind"]),
                date_candidates=form.date_candidates(),
                venue=form.cleaned_data["venue"],
                purpose=form.cleaned_data["purpose"],
                expected_participants=form.cleaned_data["expected_participants"],
                group_size=form.cleaned_data["group_size"],
                materials=form.cleaned_data["materials"],
                site_url=_site(request),
            )
        except ValidationError as error:
            add_service_errors(form, error, {"date_candidates": "date_1"})
        else:
            messages.success(request, _("申請を受け付けました。運営者からの連絡をお待ちください。"))
            return _detail(dispatch.public_id)
    return render(
        request,
        "facilitation/apply.html",
        {
            "nav_section": NAV,
            "municipality": municipality,
            "form": form,
        },
    )


#: Transitions performed by a plain POST on the dispatch page, with their input form.
SIMPLE_TRANSITIONS: dict[Transition, type[Any] | None] = {
    Transition.ACCEPT: None,
    Transition.DECLINE: OptionalReasonForm,
    Transition.DECIDE: None,
    Transition.NOTIFY: None,
    Transition.HOLD: None,
    Transition.MARK_PAID: MarkPaidForm,
    Transition.CANCEL: ReasonForm,
}


@staff_required
@require_GET
def dispatch_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    dispatch = access_dispatch_by_public_id(user=user, public_id=public_id)
    transitions = available_transitions(
        DispatchState(dispatch.state), dispatch_actors(user=user, dispatch=dispatch)
    )
    actions = [
        {
            "name": t.value,
            "label": LABELS[t],
            "form": form_class(prefix=t.value) if (form_class := SIMPLE_TRANSITIONS[t]) else None,
            "url": reverse("facilitation:act", args=[dispatch.public_id, t.value]),
        }
        for t in transitions
        if t in SIMPLE_TRANSITIONS
    ]
    links = []
    if Transition.PROPOSE in transitions:
        links.append(
            (reverse("facilitation:match", args=[dispatch.public_id]), LABELS[Transition.PROPOSE])
        )
    for transition, role in (
        (Transition.REPORT_ORGANISER, ReportRole.ORGANISER),
        (Transition.REPORT_FACILITATOR, ReportRole.FACILITATOR),
    ):
        if transition in transitions:
            links.append(
                (
                    reverse("facilitation:report", args=[dispatch.public_id, role.value]),
                    LABELS[transition],
                )
            )
    return render(
        request,
        "facilitation/dispatch_detail.html",
        {
            "nav_section": NAV,
            "dispatch": dispatch,
            "actions": actions,
            "links": links,
            "reports": selectors.dispatch_reports(dispatch=dispatch),
            "history": selectors.dispatch_history(dispatch=dispatch),
            "materials": material_links(dispatch.materials),
        },
    )


@staff_required
@require_POST
def dispatch_act(request: HttpRequest, public_id: uuid.UUID, transition: str) -> HttpResponse:
    """Perform one of the plain transitions; errors come back as a message on the page."""
    user = _user(request)
    dispatch = access_dispatch_by_public_id(user=user, public_id=public_id)
    try:
        step = Transition(transition)
    except ValueError:
        raise Http404 from None
    if step not in SIMPLE_TRANSITIONS:
        raise Http404
    form_class = SIMPLE_TRANSITIONS[step]
    form = form_class(request.POST, prefix=step.value) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _detail(dispatch.public_id)
    data = form.cleaned_data if form is not None else {}
    site = _site(request)
    try:
        if step == Transition.ACCEPT:
            dispatch = services.dispatch_accept(user=user, dispatch=dispatch, site_url=site)
        elif step == Transition.DECLINE:
            dispatch = services.dispatch_decline(
                user=user, dispatch=dispatch, reason=data["reason"], site_url=site
            )
        elif step == Transition.DECIDE:
            dispatch = services.dispatch_decide(user=user, dispatch=dispatch, site_url=site)
        elif step == Transition.NOTIFY:
            dispatch = services.dispatch_notify(user=user, dispatch=dispatch, site_url=site)
        elif step == Transition.HOLD:
            dispatch = services.dispatch_hold(user=user, dispatch=dispatch, site_url=site)
        elif step == Transition.MARK_PAID:
            dispatch = services.dispatch_mark_paid(
                user=user,
                dispatch=dispatch,
                paid_on=data["paid_on"],
                fee_yen=data["fee_yen"],
                travel_expenses_yen=data["travel_expenses_yen"],
                site_url=site,
            )
        else:
            dispatch = services.dispatch_cancel(
                user=user, dispatch=dispatch, reason=data["reason"], site_url=site
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("「%(action)s」を行いました。") % {"action": LABELS[step]})
    if not can_view_dispatch(user=user, dispatch=dispatch):
        # A facilitator who declined no longer sees the application.
        return redirect("facilitation:dispatch_list")
    return _detail(dispatch.public_id)


@operator_required
@require_http_methods(["GET", "POST"])
def dispatch_match(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """② マッチング: candidates by region, availability on the candidate days, certification."""
    user = _user(request)
    dispatch = access_dispatch_by_public_id(user=user, public_id=public_id)
    params = request.GET.copy()
    if "pref" not in params:
        params["pref"] = dispatch.municipality.prefecture_id
    filters = MatchFilterForm(params)
    filters.is_valid()
    cleaned = getattr(filters, "cleaned_data", {})
    if request.method == "POST":
        propose = ProposeForm(request.POST)
        if propose.is_valid():
            facilitator = selectors.facilitator_get(public_id=propose.cleaned_data["facilitator"])
            if facilitator is None:
                raise Http404
            try:
                services.dispatch_propose(
                    user=user,
                    dispatch=dispatch,
                    facilitator=facilitator,
                    workshop_date=propose.cleaned_data["workshop_date"],
                    site_url=_site(request),
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("%(name)s さんに打診しました。回答を待っています。")
                    % {"name": facilitator.name},
                )
                return _detail(dispatch.public_id)
        else:
            messages.error(request, _("ファシリテーターと実施日を選んでください。"))
    pref = cleaned.get("pref")
    rows = selectors.match_rows(
        dispatch=dispatch,
        prefecture_code=pref.code if pref else "",
        specialty=cleaned.get("specialty", ""),
        available_only=not cleaned.get("all", False),
    )
    return render(
        request,
        "facilitation/match.html",
        {"nav_section": NAV, "dispatch": dispatch, "filters": filters, "rows": rows},
    )


@staff_required
@require_GET
def dispatch_workshop(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """③ The workshop sheet: standard programme and links, printable (当日の進行表)."""
    dispatch = access_dispatch_by_public_id(user=_user(request), public_id=public_id)
    return render(
        request,
        "facilitation/workshop.html",
        {
            "nav_section": NAV,
            "dispatch": dispatch,
            "programme": STANDARD_PROGRAMME,
            "tools": municipality_tool_links(
                code=dispatch.municipality.code, name=dispatch.municipality.name
            ),
            "materials": material_links(dispatch.materials),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def dispatch_report(request: HttpRequest, public_id: uuid.UUID, role: str) -> HttpResponse:
    """④ 実施報告: the organiser's (staff) or the facilitator's form."""
    user = _user(request)
    dispatch = access_dispatch_by_public_id(user=user, public_id=public_id)
    try:
        report_role = ReportRole(role)
    except ValueError:
        raise Http404 from None
    transition = (
        Transition.REPORT_ORGANISER
        if report_role == ReportRole.ORGANISER
        else Transition.REPORT_FACILITATOR
    )
    if transition not in available_transitions(
        DispatchState(dispatch.state), dispatch_actors(user=user, dispatch=dispatch)
    ):
        raise PermissionDenied
    form = ReportForm(request.POST or None, initial={"group_count": dispatch.group_count})
    if request.method == "POST" and form.is_valid():
        data = services.ReportInput(
            participants=form.cleaned_data["participants"],
            group_count=form.cleaned_data["group_count"],
            summary=form.cleaned_data["summary"],
            outcomes=form.cleaned_data["outcomes"],
            issues=form.cleaned_data["issues"],
        )
        service = (
            services.dispatch_report_organiser
            if report_role == ReportRole.ORGANISER
            else services.dispatch_report_facilitator
        )
        try:
            service(user=user, dispatch=dispatch, data=data, site_url=_site(request))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("実施報告を受け付けました。"))
            return _detail(dispatch.public_id)
    return render(
        request,
        "facilitation/report_form.html",
        {"nav_section": NAV, "dispatch": dispatch, "form": form, "role": report_role},
    )


# --- operator ----------------------------------------------------------------------------


def _fiscal_year_param(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("fy", "")
    if raw.isdigit() and len(raw) == 4:
        return int(raw)
    return years[0]


@operator_required
@require_GET
def operator_index(request: HttpRequest) -> HttpResponse:
    """All dispatches of a fiscal year, with payment status and the export (運営者の一覧)."""
    years = selectors.dispatch_fiscal_years()
    fiscal_year = _fiscal_year_param(request, years)
    state = request.GET.get("state", "")
    states: tuple[str, ...] | None = None
    if state == "waiting":
        states = selectors.WAITING_FOR_OPERATOR
    elif state in DispatchState.values:
        states = (state,)
    else:
        state = ""
    return render(
        request,
        "facilitation/operator_index.html",
        {
            "nav_section": NAV,
            "years": years,
            "fiscal_year": fiscal_year,
            "state": state,
            "states": DispatchState.choices,
            "dispatches": selectors.dispatch_list_for_fiscal_year(
                fiscal_year=fiscal_year, states=states
            ),
        },
    )


@operator_required
@require_GET
def operator_export(request: HttpRequest, fiscal_year: int, fmt: str) -> HttpResponse:
    """A fiscal year's dispatches as CSV or .xlsx for accounting (派遣実績の書き出し)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = export.dispatch_rows(selectors.dispatch_list_for_fiscal_year(fiscal_year=fiscal_year))
    services.dispatch_export_record(
        user=_user(request), fiscal_year=fiscal_year, fmt=fmt, rows=len(rows)
    )
    filename = f"machiwb-dispatches-fy{fiscal_year}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(export.to_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            export.to_xlsx(rows, sheet_title=fiscal_year_label(fiscal_year)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@operator_required
@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "facilitation/registry_list.html",
        {"nav_section": NAV, "facilitators": selectors.facilitator_registry_list()},
    )


@operator_required
@require_http_methods(["GET", "POST"])
def registry_edit(request: HttpRequest, public_id: uuid.UUID | None = None) -> HttpResponse:
    """Add or update a registry entry (登録簿の編集)."""
    user = _user(request)
    facilitator = None
    if public_id is not None:
        facilitator = selectors.facilitator_get(public_id=public_id)
        if facilitator is None:
            raise Http404
    initial = FacilitatorForm.initial_for(facilitator) if facilitator else None
    form = FacilitatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.FacilitatorInput(
            name=form.cleaned_data["name"],
            name_kana=form.cleaned_data["name_kana"],
            prefecture_codes=[p.code for p in form.cleaned_data["prefectures"]],
            training_completed_on=form.cleaned_data["training_completed_on"],
            certification_valid_until=form.cleaned_data["certification_valid_until"],
            specialties=form.cleaned_data["specialties"],
            languages=form.cleaned_data["languages"],
            available_weekdays=form.cleaned_data["available_weekdays"],
            unavailable=form.cleaned_data["unavailable"],
            user_email=form.cleaned_data["user_email"],
            is_active=form.cleaned_data["is_active"],
            is_public=form.cleaned_data["is_public"],
            is_demo=facilitator.is_demo if facilitator else False,
            note=form.cleaned_data["note"],
        )
        try:
            if facilitator is None:
                services.facilitator_create(user=user, data=data)
            else:
                services.facilitator_update(user=user, facilitator=facilitator, data=data)
        except ValidationError as error:
            add_service_errors(form, error, {"user": "user_email"})
        else:
            messages.success(request, _("登録簿を保存しました。"))
            return redirect("facilitation:registry")
    return render(
        request,
        "facilitation/registry_edit.html",
        {"nav_section": NAV, "form": form, "facilitator": facilitator},
    )
