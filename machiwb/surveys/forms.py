"""Staff forms for surveys (調査の作成・独自設問の編集)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from machiwb.surveys.models import Survey
from machiwb.surveys.questionnaire import CUSTOM_KINDS, TEXT_LIMITS

KIND_LABELS = {
    "single": _("単一選択"),
    "multiple": _("複数選択"),
    "agreement5": _("5段階（そう思う〜そう思わない）"),
    "scale11": _("0〜10の11段階"),
    "number": _("数値（範囲つき）"),
    "short_text": _("短い自由記述"),
    "long_text": _("長い自由記述"),
}


ONE_VOTE_OPEN, ONE_VOTE_CODE, ONE_VOTE_IDENTITY = "open", "code", "identity"
ONE_VOTE_CHOICES = [
    (ONE_VOTE_OPEN, _("どなたでも（回数制限・スパム対策あり）")),
    (ONE_VOTE_CODE, _("招待コードを配布した人だけ")),
    (ONE_VOTE_IDENTITY, _("本人確認サービス（OpenID Connect）で確認した人だけ")),
]


def one_vote_of(survey: Survey) -> str:
    """The form's one-vote choice for a survey's two flags."""
    if survey.identity_required:
        return ONE_VOTE_IDENTITY
    return ONE_VOTE_CODE if survey.invitation_required else ONE_VOTE_OPEN


class SurveyForm(forms.Form):
    """A 個別調査's settings; the identity-provider choice exists only when one is configured."""

    title = forms.CharField(label=_("調査名"), max_length=200)
    fiscal_year = forms.IntegerField(label=_("年度"), min_value=2022, max_value=2100)
    opens_on = forms.DateField(
        label=_("回答受付開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("回答受付終了日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    one_vote = forms.ChoiceField(
        label=_("回答できる人（一人一回答）"),
        choices=ONE_VOTE_CHOICES,
        initial=ONE_VOTE_OPEN,
        required=False,
        widget=forms.RadioSelect,
    )
    areas = forms.CharField(
        label=_("地区の選択肢（任意・1行に1つ）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("回答者に「お住まいの地区」をたずねる場合に入力します。"),
    )

    def __init__(self, *args: Any, identity_available: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "one_vote" in self.fields and not identity_available:
            field = self.fields["one_vote"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = [c for c in ONE_VOTE_CHOICES if c[0] != ONE_VOTE_IDENTITY]

    def clean_areas(self) -> list[str]:
        areas = [line.strip() for line in self.cleaned_data["areas"].splitlines() if line.strip()]
        if len(areas) > 50:
            raise forms.ValidationError(_("地区は50個までです。"))
        if any(len(area) > 50 for area in areas):
            raise forms.ValidationError(_("地区名は50文字以内にしてください。"))
        if len(set(areas)) != len(areas):
            raise forms.ValidationError(_("同じ地区名が重複しています。"))
        return areas

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens_on: datetime.date | None = data.get("opens_on")
        closes_on: datetime.date | None = data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("終了日は開始日以降にしてください。"))
        if "one_vote" in self.fields:
            one_vote = data.pop("one_vote", "") or ONE_VOTE_OPEN
            data["invitation_required"] = one_vote == ONE_VOTE_CODE
            data["identity_required"] = one_vote == ONE_VOTE_IDENTITY
        return data


class NationalSurveyForm(SurveyForm):
    """The operator's 全国調査: no areas (residents choose their municipality) and no codes.

    Invitation codes are printed and sent by a municipality, so the one-vote choice here is
    the identity provider only, offered when one is configured: one answer per person for the
    fiscal year's national survey.
    """

    def __init__(self, *args: Any, identity_available: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, identity_available=identity_available, **kwargs)
        del self.fields["areas"]
        if not identity_available:
            del self.fields["one_vote"]
            return
        field = self.fields["one_vote"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [c for c in ONE_VOTE_CHOICES if c[0] != ONE_VOTE_CODE]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data.setdefault("invitation_required", False)
        data.setdefault("identity_required", False)
        return data


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("質問の種類"), choices=[(kind, KIND_LABELS[kind]) for kind in CUSTOM_KINDS]
    )
    text = forms.CharField(label=_("質問文"), max_length=300)
    help = forms.CharField(label=_("説明（任意）"), max_length=300, required=False)
    required = forms.BooleanField(label=_("回答を必須にする"), required=False)
    options = forms.CharField(
        label=_("選択肢（選択式のみ・1行に1つ）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    min = forms.IntegerField(label=_("最小値（数値のみ）"), required=False)
    max = forms.IntegerField(label=_("最大値（数値のみ）"), required=False)
    max_length = forms.IntegerField(
        label=_("文字数の上限（自由記述のみ）"),
        required=False,
        help_text=_("短い自由記述は200文字まで、長い自由記述は2000文字まで"),
    )

    def question(self) -> dict[str, Any]:
        """The question definition (without id) from the cleaned data."""
        data = self.cleaned_data
        kind = data["kind"]
        question: dict[str, Any] = {
            "kind": kind,
            "text": data["text"].strip(),
            "help": data["help"].strip(),
            "required": bool(data["required"]),
        }
        if kind in ("single", "multiple"):
            labels = [line.strip() for line in data["options"].splitlines() if line.strip()]
            question["options"] = [
                {"code": str(number), "label": label} for number, label in enumerate(labels, 1)
            ]
        if kind == "number":
            question["min"], question["max"] = data["min"], data["max"]
        if kind in TEXT_LIMITS:
            question["max_length"] = data["max_length"] or TEXT_LIMITS[kind]
        return question

    @staticmethod
    def initial_for(question: dict[str, Any]) -> dict[str, Any]:
        initial = dict(question)
        initial["options"] = "\n".join(o["label"] for o in question.get("options", []))
        return initial


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("再開する理由（記録に残ります）"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RevisionPublishForm(forms.Form):
    reason = forms.CharField(
        label=_("新しい版にする理由（記録に残ります）"),
        help_text=_("例：設問2の誤字を直した、設問を1つ追加した"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationCodesForm(forms.Form):
    count = forms.IntegerField(label=_("発行する件数"), min_value=1, max_value=20_000)
    output = forms.ChoiceField(
        label=_("受け取り方"),
        choices=[
            (
                "pdf",
                _(
                    "印刷用の案内状（PDF、1人1ページ、QRコードつき、1回2000件まで。"
                    "201件以上はバックグラウンドで作成）"
                ),
            ),
            ("csv", _("差し込み印刷用のCSV")),
        ],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("output") == "pdf" and (data.get("count") or 0) > MAX_LETTERS_IN_BACKGROUND:
            self.add_error(
                "count",
                _(
                    "案内状（PDF）は1回2000件までです。それより多い場合は分けて発行するか、CSVで差し込み印刷してください。"
                ),
            )
        return data

    @property
    def in_background(self) -> bool:
        """Letters beyond what one request lays out are made by a background job."""
        return bool(
            self.cleaned_data["output"] == "pdf" and self.cleaned_data["count"] > MAX_LETTERS
        )


#: Letters rendered in one request: WeasyPrint lays out about 5 pages a second here.
MAX_LETTERS = 200
#: Letters made by one background job: about 400 s of layout, within the job timeout.
MAX_LETTERS_IN_BACKGROUND = 2000
