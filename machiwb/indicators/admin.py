"""Operator screens (運営者の管理画面): catalog versions, KPI values, published results, runs.

Each upload screen calls the same service as its management command, so a file is validated
the same way everywhere and every problem is shown with its row (or JSON path) and reason.
KPI values and published results are imported by a background job: the screen stores the
files with the job and shows the job's page, where progress and problems appear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from machiwb.indicators.catalog import CatalogError, catalog_parse
from machiwb.indicators.models import CatalogVersion, KpiImport, KpiValue, ScoreRun
from machiwb.indicators.services import (
    KpiImportError,
    OfficialImportError,
    catalog_load,
    kpi_values_import_start,
    official_results_import_start,
)
from machiwb.indicators.textfile import DecodeError, decode_text
from machiwb.jobs.models import Job

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class CatalogUploadForm(forms.Form):
    file = forms.FileField(label=_("カタログ定義ファイル（JSON）"))


class KpiUploadForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("客観指標データ（CSV または .xlsx）"))


class OfficialUploadForm(forms.Form):
    result_files = MultipleFileField(label=_("公表結果のCSV（複数選択可）"))


def _read(upload: Any) -> bytes:
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValueError(
            gettext("%(file)s：ファイルが大きすぎます（上限 %(mb)d MB）。")
            % {"file": upload.name, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    data: bytes = upload.read()
    return data


class _OperatorViewMixin:
    """Operators may look at these rows: the admin site admits verified operators only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return True


class _UploadMixin(_OperatorViewMixin):
    """Adds one upload screen to a ModelAdmin."""

    upload_title: Any = ""
    upload_form: type[forms.Form] = forms.Form
    admin_site: admin.AdminSite
    model: Any

    def handle_upload(self, request: HttpRequest, form: forms.Form) -> str | Job:
        """Load the upload now (a message) or queue it as a background job."""
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = super().get_urls()  # type: ignore[misc]
        view: Callable[..., HttpResponse] = self.admin_site.admin_view(self.upload_view)
        name = f"indicators_{self.model._meta.model_name}_upload"
        return [path("upload/", view, name=name), *urls]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        problems: list[str] = []
        if request.method == "POST":
            form = self.upload_form(request.POST, request.FILES)
            if form.is_valid():
                try:
                    done = self.handle_upload(request, form)
                except (CatalogError, KpiImportError, OfficialImportError, DecodeError) as exc:
                    problems = [str(p) for p in getattr(exc, "problems", [str(exc)])]
                except ValueError as exc:
                    problems = [str(exc)]
                else:
                    if isinstance(done, Job):
                        return HttpResponseRedirect(
                            reverse("jobs:detail", kwargs={"public_id": done.public_id})
                        )
                    messages.success(request, done)
                    return HttpResponseRedirect(
                        reverse(f"admin:indicators_{self.model._meta.model_name}_changelist")
                    )
        else:
            form = self.upload_form()
        context = {
            **self.admin_site.each_context(request),
            "title": self.upload_title,
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/indicators/upload.html", context)


@admin.register(CatalogVersion)
class CatalogVersionAdmin(_UploadMixin, admin.ModelAdmin[CatalogVersion]):
    list_display = ["code", "title", "first_fiscal_year", "last_fiscal_year", "source_name"]
    readonly_fields = [
        "code",
        "title",
        "first_fiscal_year",
        "last_fiscal_year",
        "note",
        "sha256",
        "source_name",
    ]
    exclude = ["definition"]
    change_list_template = "admin/indicators/change_list_upload.html"
    upload_title = _("指標カタログの読込")
    upload_form = CatalogUploadForm

    def handle_upload(self, request: HttpRequest, form: forms.Form) -> str | Job:
        upload = form.cleaned_data["file"]
        text, _encoding = decode_text(_read(upload), name=upload.name)
        catalog = catalog_parse(text, source=upload.name)
        result = catalog_load(catalog=catalog, source_name=upload.name, actor=request.user)  # type: ignore[arg-type]
        if result.changed:
            return gettext("指標カタログ %(version)s を読み込みました。") % {
                "version": catalog.version
            }
        return gettext("指標カタログ %(version)s に変更はありません。") % {
            "version": catalog.version
        }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(KpiImport)
class KpiImportAdmin(_UploadMixin, admin.ModelAdmin[KpiImport]):
    list_display = ["created_at", "fiscal_year", "file_name", "file_format", "row_count"]
    list_filter = ["fiscal_year"]
    readonly_fields = [
        "fiscal_year",
        "file_name",
        "sha256",
        "file_format",
        "row_count",
        "imported_by",
    ]
    change_list_template = "admin/indicators/change_list_upload.html"
    upload_title = _("客観指標データの取込")
    upload_form = KpiUploadForm

    def handle_upload(self, request: HttpRequest, form: forms.Form) -> str | Job:
        upload = form.cleaned_data["file"]
        return kpi_values_import_start(
            fiscal_year=form.cleaned_data["fiscal_year"],
            file_name=upload.name,
            data=_read(upload),
            actor=request.user,  # type: ignore[arg-type]
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(KpiValue)
class KpiValueAdmin(_OperatorViewMixin, admin.ModelAdmin[KpiValue]):
    """The stored KPI values with the file each came from (read-only: change them by import)."""

    list_display = ["fiscal_year", "kpi_code", "municipality", "value", "source_import"]
    list_filter = ["fiscal_year", "kpi_code"]
    search_fields = ["municipality__code", "municipality__name", "kpi_code"]
    list_select_related = ["municipality", "source_import"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: KpiValue | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: KpiValue | None = None) -> bool:
        return False


@admin.register(ScoreRun)
class ScoreRunAdmin(_UploadMixin, admin.ModelAdmin[ScoreRun]):
    list_display = [
        "created_at",
        "fiscal_year",
        "survey_type",
        "origin",
        "is_current",
        "municipality_count",
        "response_count",
    ]
    list_filter = ["fiscal_year", "survey_type", "origin", "is_current"]
    readonly_fields = [
        "public_id",
        "catalog",
        "fiscal_year",
        "survey_type",
        "origin",
        "is_current",
        "parameters",
        "inputs",
        "inputs_sha256",
        "results_sha256",
        "municipality_count",
        "response_count",
        "created_by",
    ]
    exclude = ["reference", "layout"]
    change_list_template = "admin/indicators/change_list_upload.html"
    upload_title = _("公表結果の取込")
    upload_form = OfficialUploadForm

    def handle_upload(self, request: HttpRequest, form: forms.Form) -> str | Job:
        files = [(f.name, _read(f)) for f in form.cleaned_data["result_files"]]
        return official_results_import_start(files=files, actor=request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ScoreRun | None = None) -> bool:
        return False
