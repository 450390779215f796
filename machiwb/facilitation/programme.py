"""The standard workshop programme (標準プログラム) and the links a workshop sheet shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Session:
    """One block of the day: a time slot (目安), a title and what happens."""

    time: str
    minutes: int
    title: Promise
    description: Promise


@dataclass(frozen=True)
class Part:
    title: Promise
    sessions: tuple[Session, ...]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sessions)


#: Morning 2 hours: lecture and dashboard exercise; afternoon 3 hours: group work, team
#: presentations, review. Clock times are a guide; the municipality sets the actual ones.
STANDARD_PROGRAMME = (
    Part(
        _("午前（2時間）"),
        (
            Session(
                "10:00–11:00",
                60,
                _("講義：地域幸福度（Well-Being）指標とは"),
                _(
                    "主観（アンケート）と客観（統計データ）の24分野で地域の暮らしやすさと"
                    "幸福感を捉える考え方と、順位付けではなく自分たちのまちを知るために使うこと。"
                ),
            ),
            Session(
                "11:00–12:00",
                60,
                _("ダッシュボード演習"),
                _(
                    "自分たちのまちのレーダーチャートを読み、似た自治体と並べて比べ、"
                    "強みと課題になりそうな分野を各自で書き出す。"
                ),
            ),
        ),
    ),
    Part(
        _("午後（3時間）"),
        (
            Session(
                "13:00–14:40",
                100,
                _("政策デザインのグループワーク"),
                _(
                    "4〜5人のグループで重点分野を1つ選び、目指す姿・中間成果・施策を"
                    "ロジックツリーに整理する。"
                ),
            ),
            Session(
                "14:40–15:30",
                50,
                _("チーム発表"),
                _("各グループが目指す姿と施策を発表し、他のグループから質問や意見をもらう。"),
            ),
            Session(
                "15:30–16:00",
                30,
                _("振り返り"),
                _("出された施策と気づきを共有し、次に取り組むことと担当を確認する。"),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Material:
    """A line of the application's materials: a same-site link, or plain text."""

    text: str
    href: str


def material_links(text: str) -> list[Material]:
    """Lines of the materials field; a line that is a path on this site becomes a link.

    Only same-site paths are linked: the platform may run in a closed network, and a link to
    another host typed into an application must not appear as a link.
    """
    materials = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        is_path = (
            line.startswith("/")
            and not any(c.isspace() for c in line)
            and url_has_allowed_host_and_scheme(line, allowed_hosts=None)
        )
        materials.append(Material(text=line, href=line if is_path else ""))
    return materials


def municipality_tool_links(*, code: str, name: str) -> list[Material]:
    """Links to the municipality's own dashboard, regional data, analyses and logic trees.

    The analysis and logic-tree pages are for the municipality's staff; a link is listed only
    when the app that serves it is installed on this site.
    """
    candidates: list[tuple[Promise, str, list[str], str]] = [
        (_("%(name)sのダッシュボード"), "dashboard:index", [], f"?pref={code[:2]}&m={code}"),
        (_("%(name)sの地域データ"), "regions:municipality", [code], ""),
        (_("%(name)sの課題分野の分析（職員向け）"), "analysis:surveys", [code], ""),
        (_("%(name)sのロジックツリー（職員向け）"), "logictrees:list", [code], ""),
    ]
    links = []
    for label, url_name, args, query in candidates:
        try:
            href = reverse(url_name, args=args) + query
        except NoReverseMatch:
            continue
        links.append(Material(text=str(label) % {"name": name}, href=href))
    return links
