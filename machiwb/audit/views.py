"""The audit log page and CSV export (監査ログ): operators see all, municipality admins their own."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from machiwb.accounts.decorators import request_user, staff_required
from machiwb.accounts.models import User
from machiwb.audit.export import audit_csv_lines
from machiwb.audit.forms import AuditFilterForm
from machiwb.audit.selectors import (
    audit_action_names,
    audit_admin_municipalities,
    audit_entries_filter,
    audit_entries_visible,
)
from machiwb.audit.services import audit_log_write
from machiwb.regions.models import Municipality

PAGE_SIZE = 100


def _form_for(request: HttpRequest, user: User) -> AuditFilterForm:
    """The filter form, or 404 for someone who may read no audit log at all."""
    municipalities: QuerySet[Municipality] | None = None
    if not user.is_operator:
        municipalities = audit_admin_municipalities(user=user)
        if not municipalities.exists():
            raise Http404
    return AuditFilterForm(request.GET or None, municipalities=municipalities)


@never_cache
@staff_required
@require_GET
def audit_log_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = _form_for(request, user)
    visible = audit_entries_visible(user=user)
    entries = visible.none()
    if not form.is_bound:
        entries = visible.order_by("-at", "-id")
    elif form.is_valid():
        entries = audit_entries_filter(visible, form.audit_filter())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "actions": audit_action_names(visible),
            "query": query.urlencode(),
            "nav_section": "accounts",
        },
    )


@never_cache
@staff_required
@require_GET
def audit_export_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = request_user(request)
    form = _form_for(request, user)
    visible = audit_entries_visible(user=user)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "audit/log.html",
            {"form": form, "page": None, "actions": [], "query": "", "nav_section": "accounts"},
            status=400,
        )
    audit_filter = form.audit_filter() if form.is_bound else None
    entries = audit_entries_filter(visible, audit_filter) if audit_filter else visible
    municipality = None
    if audit_filter and audit_filter.municipality_code:
        municipality = Municipality.objects.filter(code=audit_filter.municipality_code).first()
    audit_log_write(
        actor=user,
        action="audit.export",
        municipality=municipality,
        summary="監査ログをCSVで出力",
        details={"filter": request.GET.urlencode()[:500]},
    )
    response = StreamingHttpResponse(
        audit_csv_lines(entries.order_by("-at", "-id").iterator(chunk_size=1000)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="machiwb-audit-{stamp}.csv"'
    return response
