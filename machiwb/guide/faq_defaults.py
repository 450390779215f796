"""The FAQ a new installation starts with (初期のよくある質問), in Japanese and English.

The operator edits them in the admin.
"""

from __future__ import annotations

#: (topic, question, answer, English question, English answer) — answers in Markdown.
DEFAULT_FAQ: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "indicators",
        "偏差値50は全国平均ですか？",
        "いいえ。偏差値50は**参照集団**の平均です。主観指標は「人口10万人以上かつ回答100件以上の市区町村」、"
        "客観指標は「東京23区と人口10万人以上の市」が参照集団です。\n\n"
        "詳しくは「数値の読み方」のページをご覧ください。",
        "Is a deviation score of 50 the national average?",
        "No. 50 is the average of the **reference group**. For the subjective indicators "
        "it is the municipalities with 100,000 or more inhabitants and at least 100 "
        "answers; for the objective indicators, the 23 wards of Tokyo and the cities with "
        '100,000 or more inhabitants.\n\nSee the page "Reading the numbers" for details.',
    ),
    (
        "indicators",
        "市区町村の順位は見られますか？",
        "見られません。この指標は、まちの強みと課題を知り、施策を話し合うためのものです。"
        "他のまちとは、似た条件のまちを最大5つまで並べて比べられます。",
        "Can I see a ranking of municipalities?",
        "No. The indicators are for finding a town's strengths and challenges and for "
        "discussing policies. You can compare a town side by side with up to five towns "
        "in similar conditions.",
    ),
    (
        "dashboard",
        "一部の年代・性別の結果が表示されないのはなぜですか？",
        "回答者が少ない区分は、個人が特定されないように表示していません。"
        "どの人数から表示するかは運営者が設定しています（初期値は10人）。",
        "Why are the results of some age groups or genders not shown?",
        "Groups with few respondents are not shown, so that no one can be identified. The "
        "operator sets the smallest group that is shown (10 people by default).",
    ),
    (
        "survey",
        "個別調査の設問を変えてもよいですか？",
        "標準調査票の設問は、文言を変えずにすべてたずねてください。同じ設問だから、"
        "全国調査や他のまちと比べられます。まち独自の設問は、標準の設問の後に加えられます。",
        "May we change the questions of our own survey?",
        "Ask every question of the standard questionnaire without changing its wording: "
        "the same questions make your results comparable with the national survey and "
        "with other towns. Your own questions can be added after the standard ones.",
    ),
    (
        "survey",
        "回答した人を特定できますか？",
        "できません。回答には IP アドレスや回答時刻を記録せず、招待コードと回答も結びつけません。"
        "市区町村の職員にも運営者にも、誰がどう答えたかは分かりません。",
        "Can anyone tell who gave an answer?",
        "No. Answers are stored without IP address or time of answering, and invitation "
        "codes are never linked to answers. Neither municipal staff nor the operator can "
        "know who answered what.",
    ),
    (
        "survey",
        "紙で集めた回答を取り込めますか？",
        "はい。標準の提出様式（1行が1人の回答）に入力した CSV または .xlsx をアップロードできます。"
        "誤りがあるときは、何行目のどの列がなぜ誤りかを示し、1件も取り込みません。",
        "Can we import answers collected on paper?",
        "Yes. Upload a CSV or .xlsx file in the standard submission format (one row per "
        "respondent). If there is a mistake, the page shows which row and column is wrong "
        "and why, and imports nothing.",
    ),
    (
        "using",
        "庁内ネットワーク（LGWAN）の中でも使えますか？",
        "はい。このサイトは外部のサーバーから文字（フォント）やプログラムを読み込まないので、"
        "インターネットに出られない端末でも表示できます。RESAS などへのリンクだけは、"
        "インターネットにつながる端末で開いてください。",
        "Can it be used inside the closed government network (LGWAN)?",
        "Yes. The site loads no fonts or programs from other servers, so it works on "
        "computers without internet access. Only links to other sites such as RESAS need "
        "a computer connected to the internet.",
    ),
    (
        "using",
        "ワークショップのファシリテーターを頼めますか？",
        "はい。「使いこなす」の「研修・ワークショップ」のページから申し込み方を確かめてください。"
        "住民向けのワークショップは、職員向けのワークショップを終えてから申し込めます。",
        "Can we ask for a workshop facilitator?",
        'Yes. See how to apply on the page "Training and workshops" under "Using the '
        'indicators". A workshop for residents can be requested after the workshop for '
        "staff.",
    ),
)
