"""The OpenAPI 3 document of /api/v1/, built from the datasets' column lists.

Every column has one type and one description here; a test checks that every response matches
this document and that docs/formats/open-data.md lists every column.
"""

from __future__ import annotations

from typing import Any

from machiwb.opendata import datasets

# (JSON type, nullable, description)
COLUMN_TYPES: dict[str, tuple[str, bool, str]] = {
    "pref_code": ("string", False, "都道府県番号（2桁）"),
    "lg_code": ("string", False, "全国地方公共団体コード（6桁、検査数字付き）"),
    "name": ("string", False, "名称"),
    "name_kana": ("string", False, "よみ（カタカナ）"),
    "name_en": ("string", False, "英語名"),
    "prefecture": ("string", False, "都道府県名"),
    "kind": (
        "string",
        False,
        "種別（city, town, village, special_ward, designated_city, designated_ward）",
    ),
    "parent_lg_code": ("string", True, "行政区の場合、政令指定都市の団体コード"),
    "run_id": ("string", False, "算出結果のID（UUID）。同じIDの結果は変わらない"),
    "fiscal_year": ("integer", False, "年度（西暦、4月始まり）"),
    "survey_type": ("string", False, "national（全国調査）/ individual（個別調査）"),
    "origin": ("string", False, "official（公表値の取込）/ computed（回答から算出）"),
    "catalog_version": ("string", False, "調査票・指標カタログの版（fy2022 は旧調査票）"),
    "municipality_count": ("integer", False, "結果のある市区町村の数"),
    "created_on": ("string", False, "算出・取込の日（ISO 8601）"),
    "title": ("string", False, "名称"),
    "first_fiscal_year": ("integer", False, "適用開始年度"),
    "last_fiscal_year": ("integer", True, "適用終了年度（null は現行）"),
    "group_code": ("string", False, "因子群コード"),
    "group_name_ja": ("string", False, "因子群名"),
    "group_name_en": ("string", False, "因子群の英語名"),
    "category_code": ("string", True, "カテゴリーコード（c01〜c24）"),
    "name_ja": ("string", False, "名称"),
    "order": ("integer", False, "公式の表示順"),
    "item_code": ("string", False, "設問コード（回答の列名、例 c03_2）"),
    "label_ja": ("string", False, "公式の短い名称"),
    "label_en": ("string", False, "英語の短い名称"),
    "text_ja": ("string", False, "設問文"),
    "text_en": ("string", False, "設問文（英語）"),
    "reverse": ("boolean", False, "逆転項目（6 − 回答 で集計）"),
    "provisional": ("boolean", False, "公式の文言が未確認の仮の文言"),
    "kpi_code": ("string", False, "客観指標コード"),
    "unit": ("string", False, "単位"),
    "direction": ("integer", False, "1 = 高いほど良い、-1 = 低いほど良い、0 = 参考統計"),
    "source": ("string", False, "出典"),
    "vintage": ("string", False, "データの時点"),
    "unit_en": ("string", True, "単位（英語）。カタログにない場合は null"),
    "source_en": ("string", True, "出典（英語、統計の公式英語名）。ない場合は null"),
    "vintage_en": ("string", True, "データの時点（英語）。時点がない場合は null"),
    "official": ("boolean", False, "公式の指標一覧で確認済み"),
    "question_code": ("string", False, "全体設問コード（Q1〜Q5）"),
    "scale_min": ("integer", False, "回答の最小値"),
    "scale_max": ("integer", False, "回答の最大値"),
    "optional": ("boolean", False, "任意設問"),
    "municipality_name": ("string", False, "市区町村名"),
    "respondents_n": ("integer", True, "回答者数（公表値に記載がない場合・非表示の場合は null）"),
    "category_name_ja": ("string", False, "カテゴリー名"),
    "subjective_value": ("number", True, "主観 実数（1〜5の平均）"),
    "subjective_score": ("number", True, "主観 偏差値（表示用、20〜80に収めた値）"),
    "subjective_score_raw": ("number", True, "主観 偏差値（収める前の値）"),
    "objective_score": ("number", True, "客観 偏差値（表示用、20〜80に収めた値）"),
    "objective_score_raw": ("number", True, "客観 偏差値（収める前の値）"),
    "category_n": ("integer", True, "カテゴリーの回答者数"),
    "kpis_with_data": ("integer", True, "データのある客観指標の数"),
    "kpis_total": ("integer", True, "カテゴリーの客観指標の数"),
    "coverage": ("number", True, "kpis_with_data / kpis_total"),
    "suppressed": ("boolean", False, "回答者が少ないため非表示（値は null）"),
    "mean": ("number", True, "平均"),
    "n": ("integer", True, "回答者数（非表示の場合は null）"),
    "answer": ("integer", True, "回答の値"),
    "percent": ("number", True, "回答割合（%）"),
    "age_band": ("integer", False, "年代コード（1 = 10代 … 8 = 80代以上）"),
    "age_label": ("string", False, "年代"),
    "gender": ("integer", False, "性別コード（1 男性, 2 女性, 3 その他, 4 回答しない）"),
    "gender_label": ("string", False, "性別"),
    "value": ("number", True, "実数・指標の値"),
    "score": ("number", True, "偏差値（表示用、20〜80に収めた値）"),
    "score_raw": ("number", True, "偏差値（収める前の値）"),
    "reference_mean": ("number", True, "基準集団の平均"),
    "reference_sd": ("number", True, "基準集団の標準偏差"),
    "reference_n": ("integer", True, "基準集団の市区町村数"),
}

SIMPLE_DATASETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "prefectures": ("都道府県", datasets.PREFECTURE_COLUMNS),
    "municipalities": ("市区町村（団体コード順）", datasets.MUNICIPALITY_COLUMNS),
    "runs": ("公開中の算出結果（年度・調査種別ごと）", datasets.RUN_COLUMNS),
    "catalog": ("調査票・指標カタログの版", datasets.CATALOG_COLUMNS),
}
CATALOG_PART_COLUMNS: dict[str, tuple[str, ...]] = {
    "categories": datasets.CATEGORY_COLUMNS,
    "items": datasets.ITEM_COLUMNS,
    "kpis": datasets.KPI_COLUMNS,
    "overall-questions": datasets.QUESTION_COLUMNS,
}
RESULT_TITLES = {
    "scores": "カテゴリー別の主観・客観の実数と偏差値（市区町村 × カテゴリー）",
    "overall": "全体設問（幸福度・生活満足度など）の平均と回答分布",
    "profile": "回答者の年代 × 性別の人数（少人数の区分は非表示）",
    "item-scores": "設問別の実数と偏差値、基準集団の統計",
    "kpi-scores": "客観指標別の値と偏差値、出典と時点",
}


def record_schema(columns: tuple[str, ...]) -> dict[str, Any]:
    properties = {}
    for column in columns:
        kind, nullable, description = COLUMN_TYPES[column]
        properties[column] = {
            "type": [kind, "null"] if nullable else kind,
            "description": description,
        }
    return {
        "type": "object",
        "properties": properties,
        "required": list(columns),
        "additionalProperties": False,
    }


def envelope_schema(columns: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["api_version", "dataset", "license", "meta", "links", "columns", "data"],
        "properties": {
            "api_version": {"type": "string", "const": "1"},
            "dataset": {"type": "string"},
            "license": {"type": "string"},
            "meta": {"type": "object"},
            "links": {"type": "object"},
            "columns": {"type": "array", "items": {"type": "string"}},
            "data": {"type": "array", "items": record_schema(columns)},
        },
    }


def _parameter(
    name: str, description: str, schema: dict[str, Any], required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


_FORMAT = _parameter(
    "format", "json（既定）または csv", {"type": "string", "enum": ["json", "csv"]}
)
_PAGE = _parameter(
    "page", "ページ番号（1から）", {"type": "integer", "minimum": 1, "maximum": 10000}
)


def _operation(
    summary: str, columns: tuple[str, ...], parameters: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [*parameters, _FORMAT],
            "responses": {
                "200": {
                    "description": "OK（ETag・Last-Modified 付き。If-None-Match で 304）",
                    "content": {
                        "application/json": {"schema": envelope_schema(columns)},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                "304": {"description": "Not Modified"},
                "400": {
                    "description": (
                        "パラメーターの誤り（error.field に項目名）。ここに記載のないパラメーターは"
                        "受け付けない（error.code = unknown_parameter、error.allowed に使える項目）"
                    ),
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "404": {
                    "description": "該当なし",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 description of every /api/v1/ endpoint."""
    from machiwb.opendata.views import PAGE_SIZES

    paths: dict[str, Any] = {}
    for name, (title, columns) in SIMPLE_DATASETS.items():
        parameters = []
        if name == "municipalities":
            parameters = [
                _parameter(
                    "pref",
                    "都道府県番号（2桁）で絞り込み",
                    {"type": "string", "pattern": "^[0-9]{2}$"},
                ),
                _PAGE,
                _parameter(
                    "page_size",
                    "1ページの件数（既定500、最大2000）",
                    {"type": "integer", "minimum": 1, "maximum": 2000},
                ),
            ]
        paths[f"/api/v1/{name}"] = _operation(title, columns, parameters)
    for part, columns in CATALOG_PART_COLUMNS.items():
        operation = _operation(f"カタログ：{part}", columns, [])
        operation["get"]["parameters"].insert(
            0,
            {
                "name": "version",
                "in": "path",
                "required": True,
                "description": "調査票の版（/api/v1/catalog の catalog_version）",
                "schema": {"type": "string", "pattern": "^[a-z0-9_-]+$"},
            },
        )
        paths[f"/api/v1/catalog/{{version}}/{part}"] = operation
    for name, columns in datasets.RESULT_DATASETS.items():
        default_size, max_size = PAGE_SIZES[name]
        paths[f"/api/v1/{name}"] = _operation(
            RESULT_TITLES[name] + "。市区町村は団体コード順（得点順ではない）",
            columns,
            [
                _parameter(
                    "fiscal_year",
                    "年度（西暦）",
                    {"type": "integer", "minimum": 2000, "maximum": 2100},
                    True,
                ),
                _parameter(
                    "survey_type",
                    "調査の種類",
                    {"type": "string", "enum": ["national", "individual"]},
                    True,
                ),
                _parameter(
                    "municipality",
                    "団体コード（6桁）。繰り返しまたはカンマ区切りで複数",
                    {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{6}$"}},
                ),
                _PAGE,
                _parameter(
                    "page_size",
                    f"1ページの市区町村数（既定{default_size}、最大{max_size}）",
                    {"type": "integer", "minimum": 1, "maximum": max_size},
                ),
            ],
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "machiwb 地域幸福度（Well-Being）指標 オープンデータAPI",
            "version": "1",
            "description": (
                "読み取り専用。ログイン不要。CORS対応。市区町村を得点順に並べることはない。"
                "各エンドポイントは記載のパラメーターだけを受け付け、ほかは 400 で返す。"
            ),
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["api_version", "error"],
                    "properties": {
                        "api_version": {"type": "string"},
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "field"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": ["string", "null"]},
                                "allowed": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                }
            }
        },
    }
