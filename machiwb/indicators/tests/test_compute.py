"""The scoring engine on hand-computed data sets (indicator-spec §3)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from machiwb.indicators.compute import (
    AnswerCells,
    ItemSpec,
    KpiSpec,
    MunicipalityInfo,
    Parameters,
    QuestionSpec,
    Respondent,
    SubjectiveResult,
    answer_cells_from_respondents,
    category_from_items,
    clip_for_display,
    compute_objective,
    compute_subjective,
    deviation_score,
    reference_stat,
)

ITEMS = (ItemSpec("a", "c01"), ItemSpec("b", "c01", reverse=True), ItemSpec("c", "c02"))
QUESTIONS = (QuestionSpec("q1", 0, 10), QuestionSpec("q3", 1, 5))
PARAMS = Parameters(subjective_min_responses=2)
INFO = {
    "A": MunicipalityInfo("A", 150_000),
    "B": MunicipalityInfo("B", 300_000),
    "C": MunicipalityInfo("C", 5_000),  # too small for the reference set
    "D": MunicipalityInfo("D", 200_000),  # too few responses for the reference set
}


def _r(
    m: str, age: int | None = None, gender: int | None = None, **answers: int | None
) -> Respondent:
    return Respondent(municipality=m, age_band=age, gender=gender, answers=answers)


RESPONDENTS = [
    _r("A", 3, 1, a=2, b=4, c=None, q1=6, q3=2),
    _r("A", 3, 2, a=2, b=None, c=4, q1=8, q3=None),
    _r("B", 5, 1, a=4, b=2, c=2, q1=10, q3=5),
    _r("B", 5, 1, a=4, b=2, c=2, q1=None, q3=4),
    _r("C", a=5, b=1, c=3),
    _r("D", a=1, b=5, c=1),
]


def _compute(
    respondents: list[Respondent], info: dict[str, MunicipalityInfo] = INFO
) -> SubjectiveResult:
    cells = answer_cells_from_respondents(respondents, items=ITEMS, questions=QUESTIONS)
    return compute_subjective(
        cells, items=ITEMS, questions=QUESTIONS, municipalities=info, parameters=PARAMS
    )


def _row(result: SubjectiveResult, municipality: str, breakdown: str = "all") -> int:
    return result.keys.index((municipality, breakdown))


def test_item_values_reverse_coding_missing_answers_and_deviation_scores() -> None:
    result = _compute(RESPONDENTS)
    assert result.reference_members == ("A", "B")
    # a: reference values A=2, B=4 → mean 3, SD 1; b is reverse-coded (6 − x) first.
    expected = {
        "A": ([2.0, 2.0, 4.0], [40.0, 40.0, 60.0], [2, 1, 1]),
        "B": ([4.0, 4.0, 2.0], [60.0, 60.0, 40.0], [2, 2, 2]),
        "C": ([5.0, 5.0, 3.0], [70.0, 70.0, 50.0], [1, 1, 1]),
        "D": ([1.0, 1.0, 1.0], [30.0, 30.0, 30.0], [1, 1, 1]),
    }
    for m, (values, scores, n) in expected.items():
        r = _row(result, m)
        assert result.item_values[r].tolist() == values, m
        assert result.item_scores[r].tolist() == pytest.approx(scores), m
        assert result.item_n[r].tolist() == n, m
    assert result.item_reference["a"].mean == 3.0
    assert result.item_reference["a"].sd == 1.0
    assert result.item_reference["a"].n == 2


def test_category_is_the_mean_of_its_items() -> None:
    result = _compute(RESPONDENTS)
    r = _row(result, "A")
    assert result.categories == ("c01", "c02")
    assert result.category_values[r].tolist() == [2.0, 4.0]
    assert result.category_scores[r].tolist() == pytest.approx([40.0, 60.0])
    assert result.category_n[r].tolist() == [1, 1]  # the fewest answers among its items


def test_breakdowns_by_age_and_gender_use_the_same_reference() -> None:
    result = _compute(RESPONDENTS)
    assert [k for k in result.keys if k[0] == "A"] == [
        ("A", "all"),
        ("A", "age3"),
        ("A", "gender1"),
        ("A", "gender2"),
        ("A", "age3_gender1"),
        ("A", "age3_gender2"),
    ]
    r = _row(result, "A", "age3_gender2")
    assert result.n[r] == 1
    assert math.isnan(result.item_values[r][1])  # nobody in the cell answered b
    assert result.item_scores[r][2] == pytest.approx(60.0)
    assert result.n[_row(result, "B", "age5")] == 2


def test_overall_questions_mean_n_and_distribution() -> None:
    result = _compute(RESPONDENTS)
    r = _row(result, "A")
    assert result.question_n["q1"][r] == 2
    assert result.question_means["q1"][r] == 7.0
    assert result.question_counts["q1"][r].tolist() == [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]
    b = _row(result, "B")
    assert result.question_means["q3"][b] == 4.5  # Q3 is on 1–5
    assert result.question_counts["q3"][b].tolist() == [0, 0, 0, 1, 1]
    assert math.isnan(result.question_means["q1"][_row(result, "C")])


def test_designated_wards_roll_up_into_their_city() -> None:
    info = {
        **INFO,
        "P": MunicipalityInfo("P", 500_000),
        "W1": MunicipalityInfo("W1", 250_000, parent="P"),
        "W2": MunicipalityInfo("W2", 250_000, parent="P"),
    }
    respondents = [
        *RESPONDENTS,
        _r("W1", a=3, b=3, c=3),
        _r("W2", a=5, b=1, c=3),
    ]
    result = _compute(respondents, info)
    assert result.reference_members == ("A", "B", "P")  # wards are not members themselves
    p = _row(result, "P")
    assert result.n[p] == 2
    assert result.item_values[p].tolist() == [4.0, 4.0, 3.0]
    assert result.item_values[_row(result, "W1")].tolist() == [3.0, 3.0, 3.0]


def test_reference_thresholds_are_configurable() -> None:
    cells = answer_cells_from_respondents(RESPONDENTS, items=ITEMS, questions=QUESTIONS)
    result = compute_subjective(
        cells,
        items=ITEMS,
        questions=QUESTIONS,
        municipalities=INFO,
        parameters=Parameters(subjective_min_responses=1, subjective_min_population=1),
    )
    assert result.reference_members == ("A", "B", "C", "D")


def test_objective_direction_reference_set_and_coverage() -> None:
    info = {
        "S": MunicipalityInfo("S", 60_000, special_ward=True),  # 特別区: always a member
        "L": MunicipalityInfo("L", 150_000),
        "X": MunicipalityInfo("X", 1_000),
        "W": MunicipalityInfo("W", 200_000, parent="L"),
    }
    kpis = [KpiSpec("k1", "c01", 1), KpiSpec("k2", "c01", -1), KpiSpec("k3", "c02", 1)]
    values = {
        "k1": {"S": 10.0, "L": 20.0, "X": 25.0, "W": 99.0},
        "k2": {"S": 1.0, "L": 3.0},
        "k3": {"S": 7.0},
    }
    result = compute_objective(values, kpis=kpis, municipalities=info)
    assert result.reference_members == ("L", "S")
    assert result.municipalities == ("L", "S", "X")  # 行政区 get no objective scores
    assert result.kpis["S"]["k1"].score == pytest.approx(40.0)
    assert result.kpis["X"]["k1"].score == pytest.approx(70.0)
    assert result.kpis["S"]["k2"].score == pytest.approx(60.0)  # lower is better
    assert result.kpis["S"]["k3"].score is None  # one member: SD 0, cannot scale
    s = result.categories["S"]
    assert s["c01"].score == pytest.approx(50.0)
    assert (s["c01"].kpis_with_data, s["c01"].kpis_total) == (2, 2)
    assert s["c02"].score is None
    assert s["c02"].coverage == 0.0
    x = result.categories["X"]["c01"]
    assert x.score == pytest.approx(70.0)
    assert x.coverage == 0.5


@pytest.mark.parametrize(
    ("score", "shown"), [(85.3, 80.0), (80.0, 80.0), (50.5, 50.5), (19.9, 20.0), (None, None)]
)
def test_display_clipping(score: float | None, shown: float | None) -> None:
    assert clip_for_display(score) == shown


def test_small_helpers() -> None:
    assert reference_stat([]).mean is None
    assert reference_stat([2.0, float("nan"), 4.0]).n == 2
    ref = reference_stat([2.0, 4.0])
    assert deviation_score(5.0, ref) == 70.0
    assert deviation_score(5.0, ref, direction=-1) == 30.0
    assert deviation_score(5.0, reference_stat([3.0])) is None
    assert category_from_items([3.5, 3.3]) == pytest.approx(3.4)
    assert category_from_items([float("nan")]) is None


# --- properties -------------------------------------------------------------------------

answers = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
respondent = st.tuples(
    st.integers(min_value=0, max_value=5),  # municipality index
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=4),
    answers,
    answers,
    answers,
)
Row = tuple[int, int, int, int | None, int | None, int | None]
POPULATIONS = [150_000, 200_000, 400_000, 120_000, 3_000, 8_000]
PROP_INFO = {str(i): MunicipalityInfo(str(i), p) for i, p in enumerate(POPULATIONS)}
PROP_PARAMS = Parameters(subjective_min_responses=1)


def _from_tuples(
    rows: list[Row],
) -> AnswerCells:
    return answer_cells_from_respondents(
        [_r(str(m), age, gender, a=a, b=b, c=c) for m, age, gender, a, b, c in rows],
        items=ITEMS,
        questions=(),
    )


def _subjective(cells: AnswerCells) -> SubjectiveResult:
    return compute_subjective(
        cells, items=ITEMS, questions=(), municipalities=PROP_INFO, parameters=PROP_PARAMS
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=60))
def test_reference_scores_have_mean_50_and_sd_10(
    rows: list[Row],
) -> None:
    result = _subjective(_from_tuples(rows))
    member_rows = [result.keys.index((m, "all")) for m in result.reference_members]
    for j, item in enumerate(ITEMS):
        ref = result.item_reference[item.code]
        if ref.n < 2 or not ref.sd or ref.sd < 1e-9:
            continue
        scores = [s for s in result.item_scores[member_rows, j].tolist() if not math.isnan(s)]
        assert np.mean(scores) == pytest.approx(50.0, abs=1e-6)
        assert np.std(scores) == pytest.approx(10.0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(rows: list[Row], rnd: random.Random) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    first = _subjective(_from_tuples(rows))
    second = _subjective(_from_tuples(shuffled))
    assert first.keys == second.keys
    np.testing.assert_array_equal(first.item_scores, second.item_scores)
    np.testing.assert_array_equal(first.category_scores, second.category_scores)


@settings(max_examples=40, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=60), st.lists(respondent, min_size=1, max_size=20))
def test_adding_a_non_reference_municipality_changes_no_other_score(
    rows: list[Row],
    extra: list[Row],
) -> None:
    before = _subjective(_from_tuples(rows))
    small = [(4, age, g, a, b, c) for _, age, g, a, b, c in extra]  # 3,000 people
    after = _subjective(_from_tuples([r for r in rows if r[0] != 4] + small))
    for key in before.keys:
        if key[0] == "4":
            continue
        i, k = before.keys.index(key), after.keys.index(key)
        np.testing.assert_array_equal(before.item_scores[i], after.item_scores[k])
