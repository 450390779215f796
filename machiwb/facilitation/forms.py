"""Forms of the facilitation pages: they parse input; the rules live in services.py."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from machiwb.facilitation.models import (
    WEEKDAY_LABELS,
    Facilitator,
    Language,
    Specialty,
    WorkshopKind,
    WorkshopReport,
)
from machiwb.regions.models import Prefecture

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form, on the right field where there is one."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        target = field_map.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


class Form(forms.Form):
    """Japanese labels take no colon after them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class KindRadioSelect(forms.RadioSelect):
    """Radio buttons where kinds not open to the municipality yet are shown disabled, with why."""

    unavailable: frozenset[str] = frozenset()

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        if option["value"] in self.unavailable:
            option["attrs"]["disabled"] = True
            option["label"] = _("%(kind)s（職員向けワークショップの実施後に申請できます）") % {
                "kind": option["label"]
            }
        return option


class DispatchApplicationForm(Form):
    """① 派遣申請. ``unavailable`` kinds are shown but cannot be chosen (the service refuses
    them too)."""

    kind = forms.ChoiceField(
        label=_("ワークショップの種類"), choices=WorkshopKind.choices, widget=KindRadioSelect
    )
    date_1 = forms.DateField(label=_("実施希望日（第1希望）"), widget=DATE_WIDGET)
    date_2 = forms.DateField(label=_("実施希望日（第2希望）"), required=False, widget=DATE_WIDGET)
    date_3 = forms.DateField(label=_("実施希望日（第3希望）"), required=False, widget=DATE_WIDGET)
    venue = forms.CharField(label=_("会場"), max_length=200)
    expected_participants = forms.IntegerField(
        label=_("参加予定人数"),
        initial=30,
        min_value=1,
        max_value=500,
        help_text=_("標準は30人程度です。"),
    )
    group_size = forms.IntegerField(
        label=_("1グループの人数"),
        initial=5,
        min_value=2,
        max_value=10,
        help_text=_("標準は4〜5人です。"),
    )
    purpose = forms.CharField(label=_("目的・ねらい"), widget=forms.Textarea(attrs={"rows": 4}))
    materials = forms.CharField(
        label=_("使うダッシュボード・分析・ロジックツリー"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "画面の名前か、このサイトのURL（/dashboard/…、ロジックツリーの共有リンク "
            "/logictrees/shared/… など）を1行に1つ書いてください。"
            "ワークショップのページにリンクとして載ります。"
        ),
    )

    def __init__(self, *args: Any, unavailable: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["kind"].widget
        assert isinstance(widget, KindRadioSelect)  # noqa: S101 - declared above
        widget.unavailable = frozenset(unavailable)
        if unavailable:
            self.fields["kind"].initial = WorkshopKind.STAFF

    def date_candidates(self) -> list[datetime.date]:
        return [
            self.cleaned_data[name]
            for name in ("date_1", "date_2", "date_3")
            if self.cleaned_data.get(name)
        ]


class MatchFilterForm(Form):
    """② Filters of the matching screen (GET)."""

    pref = forms.ModelChoiceField(
        label=_("対応地域"),
        queryset=Prefecture.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("すべての地域"),
    )
    specialty = forms.ChoiceField(
        label=_("得意分野"),
        choices=[("", _("すべて")), *Specialty.choices],
        required=False,
    )
    all = forms.BooleanField(
        label=_("希望日に派遣できない人も表示する（認定切れ・不在・重複を含む）"), required=False
    )


class ProposeForm(Form):
    """② Ask one facilitator to take one candidate day."""

    facilitator = forms.UUIDField(widget=forms.HiddenInput)
    workshop_date = forms.DateField(label=_("実施日"))


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("取消の理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalReasonForm(Form):
    reason = forms.CharField(
        label=_("辞退の理由（任意）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MarkPaidForm(Form):
    paid_on = forms.DateField(label=_("支払日"), widget=DATE_WIDGET)
    fee_yen = forms.IntegerField(label=_("謝金（円）"), min_value=0, max_value=10_000_000)
    travel_expenses_yen = forms.IntegerField(
        label=_("旅費（円）"), min_value=0, max_value=10_000_000, initial=0
    )


class ReportForm(forms.ModelForm[WorkshopReport]):
    """④ 実施報告 (the same questions for the organiser and the facilitator)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = WorkshopReport
        fields = ["participants", "group_count", "summary", "outcomes", "issues"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "outcomes": forms.Textarea(attrs={"rows": 5}),
            "issues": forms.Textarea(attrs={"rows": 4}),
        }


def _parse_periods(text: str) -> list[tuple[datetime.date, datetime.date]]:
    """Lines of ``2026-12-28`` or ``2026-12-28〜2027-01-04`` (also ``..`` or ``~``)."""
    periods = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("〜", "..").replace("~", "..").split("..")]
        try:
            if len(parts) == 1:
                day = datetime.date.fromisoformat(parts[0])
                periods.append((day, day))
            elif len(parts) == 2:
                periods.append(
                    (datetime.date.fromisoformat(parts[0]), datetime.date.fromisoformat(parts[1]))
                )
            else:
                raise ValueError(line)
        except ValueError as exc:
            raise ValidationError(
                _(
                    "%(n)d行目「%(line)s」は日付（2026-12-28）か期間（2026-12-28〜2027-01-04）で書いてください。"
                )
                % {"n": number, "line": line[:40]}
            ) from exc
    return periods


class FacilitatorForm(Form):
    """The operator's registry entry form (登録簿の編集)."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    name_kana = forms.CharField(label=_("よみ（カタカナ）"), max_length=100)
    prefectures = forms.ModelMultipleChoiceField(
        label=_("対応地域"),
        queryset=Prefecture.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    training_completed_on = forms.DateField(label=_("研修修了日"), widget=DATE_WIDGET)
    certification_valid_until = forms.DateField(
        label=_("認定の有効期限（更新期限）"), widget=DATE_WIDGET
    )
    specialties = forms.MultipleChoiceField(
        label=_("得意分野"),
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("対応言語"),
        choices=Language.choices,
        initial=["ja"],
        widget=forms.CheckboxSelectMultiple,
    )
    available_weekdays = forms.TypedMultipleChoiceField(
        label=_("対応できる曜日"),
        choices=list(enumerate(WEEKDAY_LABELS)),
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
    )
    unavailable = forms.CharField(
        label=_("不在期間"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("1行に1つ：2026-12-28 または 2026-12-28〜2027-01-04"),
    )
    user_email = forms.EmailField(
        label=_("ログインアカウントのメールアドレス"),
        required=False,
        help_text=_("依頼への回答と実施報告に使います。登録済みの利用者のメールアドレスです。"),
    )
    is_active = forms.BooleanField(label=_("派遣対象にする"), required=False, initial=True)
    is_public = forms.BooleanField(
        label=_("公開リストに掲載する（本人の同意がある場合のみ）"), required=False
    )
    note = forms.CharField(
        label=_("運営メモ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_unavailable(self) -> list[tuple[datetime.date, datetime.date]]:
        return _parse_periods(self.cleaned_data.get("unavailable", ""))

    @staticmethod
    def initial_for(facilitator: Facilitator) -> dict[str, Any]:
        return {
            "name": facilitator.name,
            "name_kana": facilitator.name_kana,
            "prefectures": list(facilitator.prefectures.all()),
            "training_completed_on": facilitator.training_completed_on,
            "certification_valid_until": facilitator.certification_valid_until,
            "specialties": facilitator.specialties,
            "languages": facilitator.languages,
            "available_weekdays": facilitator.available_weekdays,
            "unavailable": "\n".join(
                u.start.isoformat() if u.start == u.end else f"{u.start}〜{u.end}"
                for u in facilitator.unavailabilities.all()
            ),
            "user_email": facilitator.user.email if facilitator.user else "",
            "is_active": facilitator.is_active,
            "is_public": facilitator.is_public,
            "note": facilitator.note,
        }
