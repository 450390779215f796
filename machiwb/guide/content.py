"""The fixed content of the guide (利用ガイド): the six steps of 活用の手引き and the workshop programme.

Prose lives in the templates; this module holds the structure that several pages share, so the
step list, the step pages and the workshop programme never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tool:
    """A platform tool a step uses, shown only when its app is installed (URL name reverses)."""

    url_name: str
    label: Promise


@dataclass(frozen=True)
class Step:
    """One of the six steps of using the indicator (活用の6ステップ)."""

    number: int
    slug: str
    title: Promise
    summary: Promise
    tools: tuple[Tool, ...]


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "overview",
        _("俯瞰"),
        _("まちの姿を、主観（住民の実感）と客観（統計）の両面から眺めます。"),
        (
            Tool("dashboard:index", _("ダッシュボード")),
            Tool("guide:indicators", _("指標について知る")),
        ),
    ),
    Step(
        2,
        "factors",
        _("因子の探し出し"),
        _("24のカテゴリーから、まちとして力を入れる分野（因子）を絞り込みます。"),
        (Tool("analysis:index", _("課題分野の特定")), Tool("dashboard:index", _("ダッシュボード"))),
    ),
    Step(
        3,
        "scenario",
        _("シナリオの可視化"),
        _("施策がどのように幸福度につながるかを、ロジックツリーに描きます。"),
        (Tool("logictrees:index", _("ロジックツリー")),),
    ),
    Step(
        4,
        "discussion",
        _("ディスカッション"),
        _("部署をまたいで、また住民と一緒に、データとロジックツリーを囲んで話し合います。"),
        (
            Tool("facilitation:index", _("ファシリテーター紹介・派遣")),
            Tool("logictrees:index", _("ロジックツリー")),
        ),
    ),
    Step(
        5,
        "decision",
        _("施策の決定"),
        _("取り組む施策と、その成果を測る指標・目標値を決めます。"),
        (Tool("logictrees:index", _("ロジックツリー")),),
    ),
    Step(
        6,
        "monitoring",
        _("モニタリング"),
        _("毎年の調査と統計で変化を確かめ、施策を見直します。"),
        (
            Tool("dashboard:index", _("ダッシュボード")),
            Tool("guide:individual_survey", _("個別調査をする")),
            Tool("guide:workbook", _("分析用ワークブック")),
        ),
    ),
)


def step_by_number(number: int) -> Step | None:
    """The step with this number (1–6), or None."""
    return next((s for s in STEPS if s.number == number), None)


def url_if_installed(url_name: str) -> str | None:
    """The URL of a named page when the app that serves it is installed, else None."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def available_tools(step: Step) -> list[tuple[str, Promise]]:
    """(url, label) of the step's tools whose app is installed on this site."""
    links = []
    for tool in step.tools:
        url = url_if_installed(tool.url_name)
        if url is not None:
            links.append((url, tool.label))
    return links


@dataclass(frozen=True)
class Session:
    """One block of the standard workshop programme (標準プログラム)."""

    morning: bool
    minutes: int
    title: Promise
    detail: Promise


WORKSHOP_PROGRAMME: tuple[Session, ...] = (
    Session(
        True,
        60,
        _("講義：地域幸福度（Well-Being）指標とは"),
        _("ウェルビーイングの考え方、指標の構成（3因子群・24カテゴリー）、偏差値の読み方。"),
    ),
    Session(
        True,
        60,
        _("演習：ダッシュボードで自分のまちを読む"),
        _("自分のまちの主観・客観のレーダーチャートと全体設問を読み、気づきを付箋に書き出します。"),
    ),
    Session(
        False,
        120,
        _("グループワーク：因子の探し出しとロジックツリー"),
        _("重点分野を選び、施策から幸福度までのつながりをロジックツリーに描きます。"),
    ),
    Session(
        False,
        40,
        _("発表"),
        _("グループごとにロジックツリーと、取り組みたい施策を発表します。"),
    ),
    Session(
        False,
        20,
        _("振り返り"),
        _("次の一歩（担当部署・期限・測る指標）を確かめ、アンケートで研修を振り返ります。"),
    ),
)


@dataclass(frozen=True)
class ProgrammePart:
    """Morning or afternoon of the workshop day, with its total length in the title."""

    title: str
    sessions: tuple[Session, ...]


def workshop_parts() -> list[ProgrammePart]:
    """The programme split into 午前 and 午後, each titled with its length in hours."""
    parts = []
    for morning in (True, False):
        sessions = tuple(s for s in WORKSHOP_PROGRAMME if s.morning is morning)
        hours = sum(s.minutes for s in sessions) / 60
        label = _("午前（%(hours)g時間）") if morning else _("午後（%(hours)g時間）")
        parts.append(ProgrammePart(str(label) % {"hours": hours}, sessions))
    return parts
