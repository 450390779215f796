"""Every write of the facilitation app (派遣事業の登録・更新).

One function per transition of ``workflow.TRANSITIONS``. Each one locks the dispatch, checks
that the acting user may perform the transition from the current state, validates the
programme's rules, saves, writes the audit log in the same transaction and sends the e-mail
notification after commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machiwb.accounts.access import has_role
from machiwb.accounts.models import Role, User
from machiwb.audit.services import audit_log_write
from machiwb.core.wareki import fiscal_year_of
from machiwb.facilitation.access import dispatch_actors
from machiwb.facilitation.matching import availability_problem
from machiwb.facilitation.models import (
    BOOKED_STATES,
    HELD_STATES,
    KINDS_AFTER_STAFF_WORKSHOP,
    Dispatch,
    DispatchDateCandidate,
    DispatchState,
    Facilitator,
    FacilitatorUnavailability,
    Language,
    ReportRole,
    Specialty,
    WorkshopKind,
    WorkshopReport,
)
from machiwb.facilitation.workflow import ACTORS, Transition, next_state
from machiwb.regions.models import Municipality, Prefecture

MAX_DATE_CANDIDATES = 3


class TransitionNotAllowed(ValidationError):
    """The dispatch is not in a state from which this transition may start."""


# --- helpers -----------------------------------------------------------------------------


def _lock(dispatch: Dispatch) -> Dispatch:
    return (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("municipality", "facilitator__user", "applicant")
        .get(pk=dispatch.pk)
    )


def _begin(*, user: User, dispatch: Dispatch, transition: Transition) -> DispatchState:
    """Check permission and state; return the state the transition leads to."""
    if not ACTORS[transition] & dispatch_actors(user=user, dispatch=dispatch):
        raise PermissionDenied(_("この操作を行う権限がありません。"))
    target = next_state(transition, DispatchState(dispatch.state))
    if target is None:
        raise TransitionNotAllowed(
            _("「%(state)s」の派遣にはこの操作はできません。")
            % {"state": dispatch.get_state_display()},
            code="invalid_transition",
        )
    return target


def _finish(
    *,
    user: User,
    dispatch: Dispatch,
    transition: Transition,
    target: DispatchState,
    update_fields: Sequence[str] = (),
    details: dict[str, str] | None = None,
) -> Dispatch:
    before = DispatchState(dispatch.state)
    dispatch.state = target
    dispatch.save(update_fields=["state", "updated_at", *update_fields])
    audit_log_write(
        actor=user,
        action=f"facilitation.dispatch.{transition}",
        municipality=dispatch.municipality,
        target=dispatch,
        summary=f"{before.label} → {target.label}",
        details={"from": before.value, "to": target.value, **(details or {})},
    )
    return dispatch


def _operator_emails() -> list[str]:
    return list(
        User.objects.filter(is_operator=True, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def _facilitator_emails(dispatch: Dispatch) -> list[str]:
    facilitator = dispatch.facilitator
    if facilitator is None or facilitator.user is None:
        return []
    return [facilitator.user.email]


def _notify(*, dispatch: Dispatch, subject: str, recipients: Iterable[str], site_url: str) -> None:
    """Send one plain-text e-mail after the transaction commits (console backend by default).

    ``site_url`` (e.g. ``https://wb.example.jp/``, from the request) makes the link absolute.
    """
    to = sorted(set(recipients))
    if not to:
        return
    lines = [
        subject,
        "",
        _("自治体：%(name)s") % {"name": dispatch.municipality.name},
        _("種類：%(kind)s") % {"kind": dispatch.get_kind_display()},
        _("状況：%(state)s") % {"state": dispatch.get_state_display()},
    ]
    if dispatch.workshop_date is not None:
        lines.append(_("実施日：%(day)s") % {"day": dispatch.workshop_date.isoformat()})
    if dispatch.facilitator is not None:
        lines.append(_("ファシリテーター：%(name)s") % {"name": dispatch.facilitator.name})
    link = site_url.rstrip("/") + reverse("facilitation:dispatch", args=[dispatch.public_id])
    lines.append(_("派遣ページ：%(url)s") % {"url": link})
    body = "\n".join(lines)
    full_subject = f"[machiwb] {subject}"
    transaction.on_commit(lambda: send_mail(full_subject, body, None, to))


def _check_facilitator_free(
    *, facilitator: Facilitator, day: datetime.date, exclude: Dispatch
) -> None:
    """Refuse a match that breaks a rule of ``matching.availability_problem``."""
    booked = Dispatch.objects.filter(
        facilitator=facilitator, workshop_date=day, state__in=BOOKED_STATES
    ).exclude(pk=exclude.pk)
    problem = availability_problem(
        facilitator=facilitator,
        day=day,
        unavailable=facilitator.unavailabilities.filter(start__lte=day, end__gte=day).values_list(
            "start", "end"
        ),
        booked_days={day} if booked.exists() else set(),
    )
    if problem is not None:
        raise ValidationError({problem.field: problem.message})


def staff_workshop_held(*, municipality: Municipality) -> bool:
    """Whether the municipality has held a staff workshop (職員向けワークショップ実施済み)."""
    return Dispatch.objects.filter(
        municipality=municipality, kind=WorkshopKind.STAFF, state__in=HELD_STATES
    ).exists()


# --- ① application -----------------------------------------------------------------------


@transaction.atomic
def dispatch_submit(
    *,
    user: User,
    municipality: Municipality,
    kind: WorkshopKind,
    date_candidates: Sequence[datetime.date],
    venue: str,
    purpose: str,
    expected_participants: int = 30,
    group_size: int = 5,
    materials: str = "",
    site_url: str = "",
) -> Dispatch:
    """① A municipality applies for a facilitator (派遣申請).

    Stakeholder and resident workshops build on what the staff learned first, so they can be
    applied for only once the municipality has held a staff workshop.
    """
    if not has_role(user=user, municipality=municipality, minimum=Role.EDITOR):
        raise PermissionDenied(_("この操作を行う権限がありません。"))
    if kind in KINDS_AFTER_STAFF_WORKSHOP and not staff_workshop_held(municipality=municipality):
        raise ValidationError(
            {
                "kind": _(
                    "「%(kind)s」のワークショップは、職員向けワークショップを実施した後に"
                    "申請できます。まず職員向けを申請してください。"
                )
                % {"kind": WorkshopKind(kind).label}
            }
        )
    days = sorted(set(date_candidates))
    if not days:
        raise ValidationError({"date_candidates": _("実施希望日を1日以上入力してください。")})
    if len(days) > MAX_DATE_CANDIDATES:
        raise ValidationError(
            {"date_candidates": _("実施希望日は%(n)d日までです。") % {"n": MAX_DATE_CANDIDATES}}
        )
    today = timezone.localdate()
    past = [d.isoformat() for d in days if d <= today]
    if past:
        raise ValidationError(
            {
                "date_candidates": _("実施希望日は明日以降にしてください：%(days)s")
                % {"days": "、".join(past)}
            }
        )
    dispatch = Dispatch(
        municipality=municipality,
        applicant=user,
        kind=kind,
        fiscal_year=fiscal_year_of(days[0]),
        venue=venue,
        purpose=purpose,
        expected_participants=expected_participants,
        group_size=group_size,
        materials=materials,
    )
    dispatch.full_clean()
    dispatch.save()
    DispatchDateCandidate.objects.bulk_create(
        DispatchDateCandidate(dispatch=dispatch, day=day) for day in days
    )
    audit_log_write(
        actor=user,
        action=f"facilitation.dispatch.{Transition.SUBMIT}",
        municipality=municipality,
        target=dispatch,
        summary=str(DispatchState.SUBMITTED.label),
        details={"to": DispatchState.SUBMITTED.value, "kind": str(kind)},
    )
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("ファシリテーター派遣の申請がありました"),
        recipients=[*_operator_emails(), user.email],
    )
    return dispatch


# --- ② matching and decision -------------------------------------------------------------


@transaction.atomic
def dispatch_propose(
    *,
    user: User,
    dispatch: Dispatch,
    facilitator: Facilitator,
    workshop_date: datetime.date,
    site_url: str = "",
) -> Dispatch:
    """② The operator asks a facilitator to take one of the candidate dates (打診)."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.PROPOSE)
    facilitator = Facilitator.objects.select_for_update().get(pk=facilitator.pk)
    if not dispatch.date_candidates.filter(day=workshop_date).exists():
        raise ValidationError({"workshop_date": _("実施日は申請の希望日から選んでください。")})
    if workshop_date <= timezone.localdate():
        raise ValidationError({"workshop_date": _("実施日が過ぎています。")})
    _check_facilitator_free(facilitator=facilitator, day=workshop_date, exclude=dispatch)
    dispatch.facilitator = facilitator
    dispatch.workshop_date = workshop_date
    dispatch.fiscal_year = fiscal_year_of(workshop_date)
    _finish(
        user=user,
        dispatch=dispatch,
        transition=Transition.PROPOSE,
        target=target,
        update_fields=["facilitator", "workshop_date", "fiscal_year"],
        details={"facilitator": str(facilitator.public_id), "date": workshop_date.isoformat()},
    )
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_(
            "ワークショップのファシリテーターを依頼します（お引き受けの可否をご回答ください）"
        ),
        recipients=_facilitator_emails(dispatch),
    )
    return dispatch


@transaction.atomic
def dispatch_accept(*, user: User, dispatch: Dispatch, site_url: str = "") -> Dispatch:
    """② The proposed facilitator accepts (内諾)."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.ACCEPT)
    _finish(user=user, dispatch=dispatch, transition=Transition.ACCEPT, target=target)
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("ファシリテーターが依頼を引き受けました"),
        recipients=_operator_emails(),
    )
    return dispatch


@transaction.atomic
def dispatch_decline(
    *, user: User, dispatch: Dispatch, reason: str = "", site_url: str = ""
) -> Dispatch:
    """② The proposed facilitator declines; the application goes back to matching (辞退)."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.DECLINE)
    assert dispatch.facilitator is not None  # noqa: S101 - PROPOSED always has one
    declined = dispatch.facilitator
    dispatch.facilitator = None
    dispatch.workshop_date = None
    _finish(
        user=user,
        dispatch=dispatch,
        transition=Transition.DECLINE,
        target=target,
        update_fields=["facilitator", "workshop_date"],
        details={"facilitator": str(declined.public_id), "reason": reason[:500]},
    )
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("%(name)s さんが依頼を辞退しました。別の方を打診してください")
        % {"name": declined.name},
        recipients=_operator_emails(),
    )
    return dispatch


@transaction.atomic
def dispatch_decide(*, user: User, dispatch: Dispatch, site_url: str = "") -> Dispatch:
    """② The operator confirms the accepted facilitator (派遣者決定).

    The certification is checked again: it may have lapsed since the proposal.
    """
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.DECIDE)
    assert dispatch.facilitator is not None  # noqa: S101 - ACCEPTED always has one
    assert dispatch.workshop_date is not None  # noqa: S101
    if not dispatch.facilitator.is_certified_on(dispatch.workshop_date):
        raise ValidationError(
            _("%(name)s さんの認定が実施日に有効ではありません。別の方に打診し直してください。")
            % {"name": dispatch.facilitator.name}
        )
    _finish(user=user, dispatch=dispatch, transition=Transition.DECIDE, target=target)
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("ワークショップへの派遣が決定しました"),
        recipients=_facilitator_emails(dispatch),
    )
    return dispatch


@transaction.atomic
def dispatch_notify(*, user: User, dispatch: Dispatch, site_url: str = "") -> Dispatch:
    """② The operator tells the municipality who comes on which day (派遣決定通知)."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.NOTIFY)
    _finish(user=user, dispatch=dispatch, transition=Transition.NOTIFY, target=target)
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("ファシリテーター派遣決定のお知らせ"),
        recipients=[dispatch.applicant.email],
    )
    return dispatch


# --- ③ workshop --------------------------------------------------------------------------


@transaction.atomic
def dispatch_hold(*, user: User, dispatch: Dispatch, site_url: str = "") -> Dispatch:
    """③ The workshop took place (実施). Possible from the workshop day on."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.HOLD)
    assert dispatch.workshop_date is not None  # noqa: S101 - NOTIFIED always has a date
    if timezone.localdate() < dispatch.workshop_date:
        raise ValidationError(
            _("実施日（%(day)s）より前には実施済みにできません。")
            % {"day": dispatch.workshop_date.isoformat()}
        )
    _finish(user=user, dispatch=dispatch, transition=Transition.HOLD, target=target)
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("ワークショップが実施されました。実施報告をお願いします"),
        recipients=[dispatch.applicant.email, *_facilitator_emails(dispatch)],
    )
    return dispatch


# --- ④ reports and payment ---------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    """The content of a workshop report form (実施報告の内容)."""

    participants: int
    group_count: int
    summary: str
    outcomes: str = ""
    issues: str = ""


def _report(
    *,
    user: User,
    dispatch: Dispatch,
    role: ReportRole,
    transition: Transition,
    data: ReportInput,
    site_url: str,
) -> Dispatch:
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=transition)
    report = WorkshopReport(
        dispatch=dispatch,
        role=role,
        author=user,
        participants=data.participants,
        group_count=data.group_count,
        summary=data.summary,
        outcomes=data.outcomes,
        issues=data.issues,
    )
    report.full_clean()
    report.save()
    _finish(
        user=user,
        dispatch=dispatch,
        transition=transition,
        target=target,
        details={"participants": str(data.participants)},
    )
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("実施報告（%(role)s）が提出されました") % {"role": role.label},
        recipients=_operator_emails(),
    )
    return dispatch


@transaction.atomic
def dispatch_report_organiser(
    *, user: User, dispatch: Dispatch, data: ReportInput, site_url: str = ""
) -> Dispatch:
    """④ The municipality's report on the held workshop (主催者の実施報告)."""
    return _report(
        user=user,
        dispatch=dispatch,
        role=ReportRole.ORGANISER,
        transition=Transition.REPORT_ORGANISER,
        data=data,
        site_url=site_url,
    )


@transaction.atomic
def dispatch_report_facilitator(
    *, user: User, dispatch: Dispatch, data: ReportInput, site_url: str = ""
) -> Dispatch:
    """④ The facilitator's report on the held workshop (ファシリテーターの実施報告)."""
    return _report(
        user=user,
        dispatch=dispatch,
        role=ReportRole.FACILITATOR,
        transition=Transition.REPORT_FACILITATOR,
        data=data,
        site_url=site_url,
    )


@transaction.atomic
def dispatch_mark_paid(
    *,
    user: User,
    dispatch: Dispatch,
    paid_on: datetime.date,
    fee_yen: int,
    travel_expenses_yen: int = 0,
    site_url: str = "",
) -> Dispatch:
    """④ The operator records the facilitator's fee and travel expenses as paid (支払済み)."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.MARK_PAID)
    assert dispatch.workshop_date is not None  # noqa: S101 - REPORTED always has a date
    if paid_on < dispatch.workshop_date or paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("支払日は実施日から今日までの日付にしてください。")})
    if fee_yen < 0 or travel_expenses_yen < 0:
        raise ValidationError({"fee_yen": _("金額は0円以上で入力してください。")})
    dispatch.paid_on = paid_on
    dispatch.fee_yen = fee_yen
    dispatch.travel_expenses_yen = travel_expenses_yen
    _finish(
        user=user,
        dispatch=dispatch,
        transition=Transition.MARK_PAID,
        target=target,
        update_fields=["paid_on", "fee_yen", "travel_expenses_yen"],
        details={
            "paid_on": paid_on.isoformat(),
            "fee_yen": str(fee_yen),
            "travel_expenses_yen": str(travel_expenses_yen),
        },
    )
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("謝金のお支払いが完了しました"),
        recipients=_facilitator_emails(dispatch),
    )
    return dispatch


@transaction.atomic
def dispatch_cancel(*, user: User, dispatch: Dispatch, reason: str, site_url: str = "") -> Dispatch:
    """Withdraw an application or a planned workshop before it takes place (取消)."""
    dispatch = _lock(dispatch)
    target = _begin(user=user, dispatch=dispatch, transition=Transition.CANCEL)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("取消の理由を入力してください。")})
    dispatch.cancel_reason = reason
    _finish(
        user=user,
        dispatch=dispatch,
        transition=Transition.CANCEL,
        target=target,
        update_fields=["cancel_reason"],
    )
    _notify(
        dispatch=dispatch,
        site_url=site_url,
        subject=_("ファシリテーター派遣が取り消されました"),
        recipients=[*_operator_emails(), dispatch.applicant.email, *_facilitator_emails(dispatch)],
    )
    return dispatch


# --- the registry ------------------------------------------------------------------------


@dataclass(frozen=True)
class FacilitatorInput:
    """What the operator keeps about a facilitator (登録情報)."""

    name: str
    name_kana: str
    prefecture_codes: Sequence[str]
    training_completed_on: datetime.date
    certification_valid_until: datetime.date
    specialties: Sequence[str] = ()
    languages: Sequence[str] = ("ja",)
    available_weekdays: Sequence[int] = (0, 1, 2, 3, 4)
    unavailable: Sequence[tuple[datetime.date, datetime.date]] = ()
    user_email: str = ""
    is_active: bool = True
    is_public: bool = False
    is_demo: bool = False
    note: str = ""


def _require_operator(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_operator):
        raise PermissionDenied(_("運営者だけが登録簿を編集できます。"))


def _apply_input(facilitator: Facilitator, data: FacilitatorInput) -> list[Prefecture]:
    unknown = [s for s in data.specialties if s not in Specialty.values]
    if unknown:
        raise ValidationError(
            {"specialties": _("不明な得意分野：%(v)s") % {"v": ", ".join(unknown)}}
        )
    unknown = [code for code in data.languages if code not in Language.values]
    if unknown:
        raise ValidationError({"languages": _("不明な言語：%(v)s") % {"v": ", ".join(unknown)}})
    if any(not 0 <= d <= 6 for d in data.available_weekdays):
        raise ValidationError(
            {"available_weekdays": _("曜日は0（月）〜6（日）で指定してください。")}
        )
    prefectures = list(Prefecture.objects.filter(code__in=data.prefecture_codes))
    if not prefectures or len(prefectures) != len(set(data.prefecture_codes)):
        raise ValidationError({"prefectures": _("対応地域の都道府県を正しく選んでください。")})
    for start, end in data.unavailable:
        if end < start:
            raise ValidationError(
                {
                    "unavailable": _("不在期間の終了日が開始日より前です：%(s)s〜%(e)s")
                    % {"s": start.isoformat(), "e": end.isoformat()}
                }
            )
    user: User | None = None
    if data.user_email:
        user = User.objects.filter(email=data.user_email.strip().lower()).first()
        if user is None:
            raise ValidationError(
                {
                    "user_email": _("このメールアドレスの利用者がいません：%(e)s")
                    % {"e": data.user_email}
                }
            )
    facilitator.user = user
    facilitator.name = data.name.strip()
    facilitator.name_kana = data.name_kana.strip()
    facilitator.training_completed_on = data.training_completed_on
    facilitator.certification_valid_until = data.certification_valid_until
    facilitator.specialties = sorted(set(data.specialties), key=Specialty.values.index)
    facilitator.languages = sorted(set(data.languages), key=Language.values.index)
    facilitator.available_weekdays = sorted(set(data.available_weekdays))
    facilitator.is_active = data.is_active
    facilitator.is_public = data.is_public
    facilitator.is_demo = data.is_demo
    facilitator.note = data.note
    facilitator.full_clean(exclude=["user"] if user is None else None)
    return prefectures


def _save_registry_entry(
    *, facilitator: Facilitator, data: FacilitatorInput, prefectures: list[Prefecture]
) -> None:
    facilitator.save()
    facilitator.prefectures.set(prefectures)
    facilitator.unavailabilities.all().delete()
    FacilitatorUnavailability.objects.bulk_create(
        FacilitatorUnavailability(facilitator=facilitator, start=start, end=end)
        for start, end in data.unavailable
    )
    if facilitator.user is not None and not facilitator.user.is_facilitator:
        facilitator.user.is_facilitator = True
        facilitator.user.save(update_fields=["is_facilitator"])


@transaction.atomic
def facilitator_create(*, user: User, data: FacilitatorInput) -> Facilitator:
    """The operator adds a trained facilitator to the registry (登録)."""
    _require_operator(user)
    facilitator = Facilitator()
    prefectures = _apply_input(facilitator, data)
    _save_registry_entry(facilitator=facilitator, data=data, prefectures=prefectures)
    audit_log_write(
        actor=user,
        action="facilitation.facilitator.create",
        target=facilitator,
        summary=facilitator.name,
    )
    return facilitator


@transaction.atomic
def facilitator_update(
    *, user: User, facilitator: Facilitator, data: FacilitatorInput
) -> Facilitator:
    """The operator updates a registry entry, e.g. after a renewal course (更新)."""
    _require_operator(user)
    facilitator = Facilitator.objects.select_for_update().get(pk=facilitator.pk)
    prefectures = _apply_input(facilitator, data)
    _save_registry_entry(facilitator=facilitator, data=data, prefectures=prefectures)
    audit_log_write(
        actor=user,
        action="facilitation.facilitator.update",
        target=facilitator,
        summary=facilitator.name,
        details={"certification_valid_until": data.certification_valid_until.isoformat()},
    )
    return facilitator


@transaction.atomic
def dispatch_export_record(*, user: User, fiscal_year: int, fmt: str, rows: int) -> None:
    """Record that the operator downloaded a year's dispatches (書き出しの記録).

    The file names facilitators, so who downloaded which year is kept in the audit log.
    """
    _require_operator(user)
    audit_log_write(
        actor=user,
        action="facilitation.dispatch.export",
        summary=f"FY{fiscal_year} {fmt}",
        details={"fiscal_year": fiscal_year, "format": fmt, "rows": rows},
    )
