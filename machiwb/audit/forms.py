from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from machiwb.audit.selectors import AuditFilter
from machiwb.regions.models import Municipality


class AuditFilterForm(forms.Form):
    """Filters for the audit log page and its CSV export."""

    municipality = forms.CharField(label=_("自治体コード"), required=False, max_length=6)
    action = forms.CharField(
        label=_("操作"),
        required=False,
        max_length=64,
        help_text=_("例：survey.publish（前方一致）"),
    )
    actor = forms.CharField(
        label=_("操作者（メールアドレスの一部）"), required=False, max_length=254
    )
    date_from = forms.DateField(
        label=_("期間（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("期間（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality] | None, **kwargs: Any):
        """``municipalities`` None = any municipality (operators); else only those."""
        super().__init__(*args, **kwargs)
        self.municipalities = municipalities
        if municipalities is not None:
            self.fields["municipality"] = forms.ChoiceField(
                label=_("自治体"),
                required=False,
                choices=[("", _("すべて（権限のある自治体）"))]
                + [
                    (m.code, gettext("%(name)s（%(code)s）") % {"name": m.name, "code": m.code})
                    for m in municipalities
                ],
            )

    def clean_municipality(self) -> str:
        code: str = self.cleaned_data.get("municipality") or ""
        if (
            code
            and self.municipalities is None
            and not Municipality.objects.filter(code=code).exists()
        ):
            raise forms.ValidationError(
                _("自治体コード %(code)s の自治体は見つかりません。"), params={"code": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("「まで」の日付は「から」の日付以降にしてください。"))
        return data

    def audit_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            municipality_code=data.get("municipality") or "",
            action=(data.get("action") or "").strip(),
            actor=(data.get("actor") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
