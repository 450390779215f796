from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from machiwb.accounts.models import Role, User
from machiwb.regions.models import Municipality


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OTPForm(forms.Form):
    code = forms.CharField(
        label=_("確認コード"),
        max_length=16,
        help_text=_("認証アプリに表示される6桁の数字、または回復コードを入力してください。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("招待する人のメールアドレス"), max_length=254)
    role = forms.ChoiceField(label=_("権限"), choices=Role.choices, initial=Role.VIEWER)


class OperatorInviteForm(forms.Form):
    municipality_code = forms.RegexField(
        label=_("自治体コード（6桁）"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("全国地方公共団体コード（6桁の数字）を入力してください。")},
        help_text=_("例：和歌山市は 302015"),
    )
    email = forms.EmailField(label=_("自治体の管理者のメールアドレス"), max_length=254)

    def clean_municipality_code(self) -> Municipality:
        code = self.cleaned_data["municipality_code"]
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise forms.ValidationError(
                _("自治体コード %(code)s の自治体は見つかりません。"), params={"code": code}
            )
        return municipality


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("権限"), choices=Role.choices)


class AcceptNewForm(forms.Form):
    """Set up a new account from an invitation."""

    display_name = forms.CharField(label=_("表示名（氏名）"), max_length=100, required=False)
    password1 = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("12文字以上。よく使われるパスワードや数字だけのものは使えません。"),
    )
    password2 = forms.CharField(
        label=_("パスワード（確認）"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("確認用のパスワードが一致しません。"))
        elif p1:
            try:
                validate_password(
                    p1, User(email=self.email, display_name=data.get("display_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AcceptExistingForm(forms.Form):
    """Accept an invitation with an existing account: confirm with its password."""

    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EnrolForm(OTPForm):
    """The first code from a newly added authenticator (no recovery codes exist yet)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("認証アプリに表示される6桁の数字を入力してください。")
