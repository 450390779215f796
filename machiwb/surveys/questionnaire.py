"""The survey definition document (調査票の定義): standard questionnaire plus custom questions.

A definition is plain JSON, frozen into a :class:`~machiwb.surveys.models.SurveyVersion` when a
survey is published. Shape::

    {"schema": 1, "catalog_version": "fy2023", "title": "...",
     "questions": [{"id": "c01_1", "kind": "agreement5", "text": "...", ...}, ...],
     "pages": [{"title": "...", "questions": ["age_band", "gender"]}, ...]}

Question kinds and the answer value each one stores:

* ``agreement5`` — 5段階の同意（1 まったくそう思わない … 5 とてもそう思う）: int 1–5
* ``scale11`` — 0〜10 の11段階: int 0–10
* ``single`` / ``multiple`` — 選択肢（単一・複数）: option code / list of option codes
* ``number`` — 数値（範囲つき）: int within ``min``–``max``
* ``short_text`` / ``long_text`` — 自由記述（文字数上限つき）: str

A question with ``no_answer_label`` offers わからない・回答しない as an explicit choice, kept
while answering and stored as "no answer" (NULL). Standard wording comes from the indicator catalog (indicator-spec §2);
wordings not published by the operator are written in the same style and flagged
``provisional``.
"""

from __future__ import annotations

from typing import Any

from machiwb.surveys.models import AgeBand, Gender
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, ITEMS_PER_CATEGORY

SCHEMA_VERSION = 1
DEFAULT_CATALOG_VERSION = "fy2023"

#: The answer recorded when a resident picks わからない／回答しない.
NO_ANSWER = "na"
NO_ANSWER_LABEL = "わからない・回答しない"

CLOSED_KINDS = frozenset({"agreement5", "scale11", "single", "multiple"})
CUSTOM_KINDS = (
    "single",
    "multiple",
    "agreement5",
    "scale11",
    "number",
    "short_text",
    "long_text",
)
TEXT_LIMITS = {"short_text": 200, "long_text": 2000}

#: (group, category) for the 24 categories in catalog order (indicator-spec §1).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("生活環境", "医療・福祉"),
    ("生活環境", "買物・飲食"),
    ("生活環境", "住宅環境"),
    ("生活環境", "移動・交通"),
    ("生活環境", "遊び・娯楽"),
    ("生活環境", "子育て"),
    ("生活環境", "初等・中等教育"),
    ("生活環境", "地域行政"),
    ("生活環境", "デジタル生活"),
    ("生活環境", "公共空間"),
    ("生活環境", "都市景観"),
    ("生活環境", "事故・犯罪"),
    ("生活環境", "自然景観"),
    ("生活環境", "自然の恵み"),
    ("生活環境", "環境共生"),
    ("生活環境", "自然災害"),
    ("地域の人間関係", "地域とのつながり"),
    ("地域の人間関係", "多様性と寛容性"),
    ("自分らしい生き方", "自己効力感"),
    ("自分らしい生き方", "健康状態"),
    ("自分らしい生き方", "文化・芸術"),
    ("自分らしい生き方", "教育機会の豊かさ"),
    ("自分らしい生き方", "雇用・所得"),
    ("自分らしい生き方", "事業創造"),
)

#: Wording of the 46 category items: (column, text, provisional). Provisional wordings are
#: ours, written from the official short label where the full wording is not public.
CATEGORY_ITEM_WORDING: tuple[tuple[str, str, bool], ...] = (
    ("c01_1", "暮らしている地域は、医療機関が充実している", False),
    ("c01_2", "暮らしている地域は、介護・福祉サービスが充実している", True),
    ("c02_1", "日常の買い物にまったく不便がない", False),
    ("c02_2", "暮らしている地域には、飲食を楽しめる場所がある", True),
    ("c03_1", "自宅には、心地のいい居場所がある", False),
    ("c03_2", "自宅の近辺は、騒音に悩まされている", False),
    ("c03_3", "私の暮らしている地域では、適度な費用で住居を確保できる", False),
    ("c04_1", "公共交通機関で、好きな時に好きなところへ移動ができる", False),
    ("c05_1", "楽しい時間を過ごせる娯楽施設がある", False),
    ("c06_1", "子育て支援・補助が手厚い", False),
    ("c06_2", "暮らしている地域では、子どもがいきいきと暮らせる", True),
    ("c07_1", "教育環境（小中高校）が整っている", False),
    ("c07_2", "子どもが通いやすいところに学校がある", True),
    ("c08_1", "地域行政は、地域のことを真剣に考えていると思う", False),
    ("c08_2", "公共施設は使い勝手がよい", True),
    ("c09_1", "行政サービスのデジタル化が進んでいる", False),
    ("c09_2", "仕事や日常生活で、デジタル技術を活用できている", True),
    ("c10_1", "地域の雰囲気は、自分にとって心地よい", False),
    ("c10_2", "街中や公園など、歩いて楽しめる場所がある", True),
    ("c11_1", "自慢できる都市景観がある", False),
    ("c12_1", "防犯対策が整っており、治安がよい", False),
    ("c12_2", "歩道や信号が整備されていて、安心して歩ける", True),
    ("c13_1", "自慢できる自然景観がある", False),
    ("c14_1", "身近に自然を感じることができる", False),
    ("c14_2", "空気や水がきれいである", True),
    ("c15_1", "リサイクルや再生可能エネルギー活用等、環境への取組みが盛んである", False),
    ("c16_1", "防災対策がしっかりしている", False),
    ("c17_1", "同じ町内に住む人たちを信頼している", False),
    ("c17_2", "町内でのコミュニティ活動が盛んである", True),
    ("c17_3", "困ったときに相談できる人が身近にいる", True),
    ("c17_4", "町内の人が困っていたら手助けをする", True),
    ("c17_5", "この町内に愛着を持っている", False),
    ("c18_1", "どんな人の意見でも受け入れる雰囲気がある", False),
    ("c18_2", "見知らぬ他者であっても信頼できる", True),
    ("c18_3", "周りの人が自分をどう思うかが気になる", True),
    ("c18_4", "暮らしている地域は、女性が活躍しやすい", True),
    ("c18_5", "暮らしている地域は、若い人が活躍しやすい", True),
    ("c19_1", "自分のことを好ましく感じる", False),
    ("c20_1", "私は、身体的に健康な状態である", False),
    ("c20_2", "私は、精神的に健康な状態である", False),
    ("c21_1", "文化・芸術・芸能が盛んで誇らしい", False),
    ("c21_2", "将来のために、良い文化・芸術・芸能を残したい", True),
    ("c22_1", "学びたいことを学べる機会がある", False),
    ("c23_1", "やりたい仕事を見つけやすい", False),
    ("c23_2", "適切な収入を得るための機会がある", False),
    ("c24_1", "新たな事に挑戦・成長するための機会がある", False),
)

#: 【逆】 items: scored 6 − x by the indicators (the answer itself is stored as given).
REVERSE_ITEMS = frozenset({"c03_2"})

#: The overall questions: (column, kind, text, low label, high label).
OVERALL_WORDING: tuple[tuple[str, str, str, str, str], ...] = (
    ("q1", "scale11", "現在、あなたはどの程度幸せですか？", "とても不幸", "とても幸せ"),
    (
        "q2",
        "scale11",
        "あなたの町内（集落）の人々は、大体において、どれぐらい幸せだと思いますか？",
        "とても不幸",
        "とても幸せ",
    ),
    (
        "q3",
        "agreement5",
        "自分だけでなく、身近な周りの人も楽しい気持ちでいると思う",
        "",
        "",
    ),
    (
        "q4",
        "scale11",
        "住んでいる地域の暮らしに満足している",
        "まったく満足していない",
        "とても満足している",
    ),
    (
        "q5",
        "scale11",
        "今から5年後、あなたはどの程度幸せだと思いますか？",
        "とても不幸",
        "とても幸せ",
    ),
)

AGREEMENT_LABELS: tuple[tuple[int, str], ...] = (
    (5, "とてもそう思う"),
    (4, "ややそう思う"),
    (3, "どちらともいえない"),
    (2, "あまりそう思わない"),
    (1, "まったくそう思わない"),
)

#: Items shown together on one answering page (a few questions per page).
ITEMS_PER_PAGE = 6
CUSTOM_PER_PAGE = 5


def _category_questions() -> list[dict[str, Any]]:
    wording = {column: (text, provisional) for column, text, provisional in CATEGORY_ITEM_WORDING}
    questions: list[dict[str, Any]] = []
    columns = iter(CATEGORY_ITEM_COLUMNS)
    for (group, category), count in zip(CATEGORIES, ITEMS_PER_CATEGORY, strict=True):
        for _ in range(count):
            column = next(columns)
            text, provisional = wording[column]
            questions.append(
                {
                    "id": column,
                    "kind": "agreement5",
                    "text": text,
                    "help": "",
                    "required": False,
                    "standard": True,
                    "no_answer_label": NO_ANSWER_LABEL,
                    "group": group,
                    "category": category,
                    "reverse": column in REVERSE_ITEMS,
                    "provisional": provisional,
                }
            )
    return questions


def _overall_questions() -> list[dict[str, Any]]:
    return [
        {
            "id": column,
            "kind": kind,
            "text": text,
            "help": (f"0 = {low}、10 = {high}" if kind == "scale11" else ""),
            "low_label": low,
            "high_label": high,
            "required": False,
            "standard": True,
            "no_answer_label": NO_ANSWER_LABEL,
            "provisional": False,
        }
        for column, kind, text, low, high in OVERALL_WORDING
    ]


def _attribute_questions(areas: list[str]) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = [
        {
            "id": "age_band",
            "kind": "single",
            "text": "あなたの年代を教えてください。",
            "help": "",
            "required": False,
            "standard": True,
            "no_answer_label": "回答しない",
            "options": [{"code": str(v), "label": str(label)} for v, label in AgeBand.choices],
        },
        {
            "id": "gender",
            "kind": "single",
            "text": "あなたの性別を教えてください。",
            "help": "",
            "required": False,
            "standard": True,
            "options": [{"code": str(v), "label": str(label)} for v, label in Gender.choices],
        },
    ]
    if areas:
        questions.append(
            {
                "id": "area",
                "kind": "single",
                "text": "お住まいの地区を教えてください。",
                "help": "",
                "required": False,
                "standard": True,
                "no_answer_label": "回答しない",
                "options": [{"code": area, "label": area} for area in areas],
            }
        )
    return questions


def _chunks(ids: list[str], size: int) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def standard_pages(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Page the standard questions: attributes, overall, then category items by group."""
    by_id = {q["id"]: q for q in questions}
    pages: list[dict[str, Any]] = [
        {
            "title": "あなたについて",
            "questions": [q for q in ("age_band", "gender", "area") if q in by_id],
        },
        {"title": "幸せについて", "questions": ["q1", "q2", "q3", "q4", "q5"]},
    ]
    for group in dict.fromkeys(group for group, _ in CATEGORIES):
        ids = [q["id"] for q in questions if q.get("group") == group]
        chunks = _chunks(ids, ITEMS_PER_PAGE)
        for number, chunk in enumerate(chunks, start=1):
            title = group if len(chunks) == 1 else f"{group}（{number}/{len(chunks)}）"
            pages.append({"title": title, "questions": chunk})
    return pages


def definition_build(
    *,
    title: str,
    catalog_version: str = DEFAULT_CATALOG_VERSION,
    custom_questions: list[dict[str, Any]] | None = None,
    areas: list[str] | None = None,
) -> dict[str, Any]:
    """Build the full definition: the locked standard questionnaire, then custom questions."""
    standard = _attribute_questions(areas or []) + _overall_questions() + _category_questions()
    custom = [dict(q, standard=False) for q in (custom_questions or [])]
    pages = standard_pages(standard)
    for number, chunk in enumerate(_chunks([q["id"] for q in custom], CUSTOM_PER_PAGE), start=1):
        pages.append({"title": f"その他の質問（{number}）", "questions": chunk})
    return {
        "schema": SCHEMA_VERSION,
        "catalog_version": catalog_version,
        "title": title,
        "questions": standard + custom,
        "pages": pages,
    }


def questions_by_id(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in definition["questions"]}


def page_questions(definition: dict[str, Any], page_index: int) -> list[dict[str, Any]]:
    by_id = questions_by_id(definition)
    return [by_id[qid] for qid in definition["pages"][page_index]["questions"]]
