"""People who sign in: operators, municipality staff and facilitators (利用者)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    """Creates users identified by e-mail address (no separate username)."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


def new_session_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractBaseUser, PermissionsMixin):
    """A signed-in person. Residents never have accounts: answering a survey needs none."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("メールアドレス"), unique=True)
    display_name = models.CharField(_("表示名"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(
        _("管理画面に入れる"),
        default=False,
        help_text=_("Django 管理画面（運営者向け）に入れるかどうか。"),
    )
    is_operator = models.BooleanField(
        _("運営者"),
        default=False,
        help_text=_("指標カタログ・全国調査・統計データ・自治体アカウントを管理する運営者。"),
    )
    is_facilitator = models.BooleanField(_("ファシリテーター"), default=False)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)
    session_salt = models.CharField(
        max_length=32,
        default=new_session_salt,
        editable=False,
        help_text=_("変更すると、この利用者のすべてのログイン中セッションが無効になります。"),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")

    def __str__(self) -> str:
        return self.display_name or self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Sessions are bound to the password AND ``session_salt`` ("logout everywhere")."""
        key_salt = "machiwb.accounts.User.get_session_auth_hash"
        value = f"{self.password}\0{self.session_salt}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Role(models.TextChoices):
    """A staff member's role in one municipality (自治体職員の権限)."""

    ADMIN = "admin", _("管理者")
    EDITOR = "editor", _("編集者")
    VIEWER = "viewer", _("閲覧者")


#: Higher number = more rights; a check for EDITOR also admits ADMIN.
ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Membership(models.Model):
    """A user's role in one municipality. A person may belong to several municipalities."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("権限"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.municipality_id} / {self.role}"


class Invitation(models.Model):
    """An e-mailed invitation to join a municipality's staff (職員の招待).

    Only a SHA-256 hash of the link's secret is stored; the secret itself exists in the
    e-mail alone. Single use, and it expires.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("メールアドレス"))
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("権限"), max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="invitations_sent", null=True
    )
    created_at = models.DateTimeField(_("招待日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"))
    accepted_at = models.DateTimeField(_("受諾日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("取消日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("招待")
        verbose_name_plural = _("招待")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.municipality_id} ({self.role})"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
