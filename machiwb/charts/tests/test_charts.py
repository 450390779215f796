"""The chart library: images open with the expected size and metadata, PDFs embed a Japanese
TrueType font with selectable text, every chart has a table twin and a summary, and the cache
returns the same bytes for the same specification."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from PIL import Image
from pypdf import PdfReader

from machiwb.charts.render import (
    PNG_DPI,
    _chart_style,
    _fontja_ttf,
    chart_cache_key,
    chart_figure,
    chart_pdf,
    chart_png,
    japanese_font_family,
    trimmed_font,
)
from machiwb.charts.specs import (
    BarChart,
    ChartMeta,
    RadarChart,
    ScatterChart,
    ScatterPoint,
    Series,
)
from machiwb.charts.tables import chart_summary, chart_table, rows_csv

META = ChartMeta(
    title="和歌山県 和歌山市 カテゴリー別偏差値",
    subtitle="全国調査・2026年度（令和8年度）",
    source="出典：デジタル庁「地域幸福度（Well-Being）指標」",
)
AXES = ("医療・福祉", "買物・飲食", "住宅環境", "移動・交通")
RADAR = RadarChart(
    meta=META,
    axes=AXES,
    series=(Series("主観", (51.2, 48.9, 53.5, None)), Series("客観", (48.0, 48.7, 54.4, 49.9))),
    value_label="偏差値",
)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def test_radar_png_has_expected_size_and_alt_text() -> None:
    image = Image.open(io.BytesIO(chart_png(RADAR)))
    assert image.format == "PNG"
    assert image.size == (8 * PNG_DPI, 9 * PNG_DPI)
    assert image.info["Title"] == META.title
    assert image.info["Description"] == chart_summary(RADAR)


def test_radar_pdf_embeds_japanese_truetype_font_and_selectable_text() -> None:
    reader = PdfReader(io.BytesIO(chart_pdf(RADAR)))
    page = reader.pages[0]
    assert "和歌山市" in page.extract_text()
    resources: Any = page["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    descriptors = [
        f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        if "/DescendantFonts" in f
        else f.get("/FontDescriptor")
        for f in fonts
    ]
    assert any(d is not None and "/FontFile2" in d.get_object() for d in descriptors)
    assert reader.metadata is not None
    assert reader.metadata.subject == chart_summary(RADAR)


def test_cache_returns_identical_bytes_and_keys_differ_by_input() -> None:
    assert chart_png(RADAR) == chart_png(RADAR)
    other = RadarChart(meta=META, axes=AXES, series=RADAR.series[:1], value_label="偏差値")
    assert chart_cache_key(RADAR, "png") != chart_cache_key(other, "png")
    assert chart_cache_key(RADAR, "png") != chart_cache_key(RADAR, "pdf")


def test_table_twin_keeps_order_and_marks_missing_values() -> None:
    table = chart_table(RADAR)
    assert table.columns == ("項目", "主観", "客観")
    assert [row[0] for row in table.rows] == list(AXES)
    assert table.rows[3] == ("移動・交通", None, 49.9)
    assert rows_csv(table.columns, table.rows).splitlines()[4] == "移動・交通,,49.9"


def test_summary_counts_against_the_reference() -> None:
    summary = chart_summary(RADAR)
    assert "主観は4項目中2項目が基準50.0以上、1項目が未満（値なし1）" in summary
    assert "客観は4項目中1項目が基準50.0以上、3項目が未満" in summary


def test_series_length_must_match_axes() -> None:
    with pytest.raises(ValueError, match="3 values for 4 labels"):
        RadarChart(
            meta=META, axes=AXES, series=(Series("主観", (1.0, 2.0, 3.0)),), value_label="偏差値"
        )


def test_bar_and_scatter_render() -> None:
    bar = BarChart(
        meta=META, categories=AXES, series=RADAR.series, value_label="偏差値", reference=50
    )
    assert Image.open(io.BytesIO(chart_png(bar))).size[0] == 8 * PNG_DPI
    scatter = ScatterChart(
        meta=META,
        points=(ScatterPoint("医療・福祉", 51.2, 0.4), ScatterPoint("住宅環境", 45.0, 0.1)),
        x_label="主観偏差値",
        y_label="幸福度との相関",
        x_reference=50,
        y_reference=0.2,
        quadrant_labels=("維持", "優先", "観察", "強み"),
    )
    assert chart_pdf(scatter).startswith(b"%PDF")
    assert chart_table(scatter).rows[1] == ("住宅環境", 45.0, 0.1)
    assert "維持1、優先0、観察1、強み0" in chart_summary(scatter)


ENGLISH_AXES = tuple(
    name
    for name in (
        "Medical care and welfare",
        "Shopping and dining",
        "Primary and secondary education",
        "Leisure and entertainment",
        "Living with the environment",
        "Self-efficacy",
    )
    for _copy in range(4)
)


def _text_inside_figure(chart: RadarChart | BarChart, *, compact: bool = False) -> list[str]:
    """The category labels of a rendered chart (around a radar, beside bars), checked to lie
    wholly inside the image."""
    with _chart_style():
        figure = chart_figure(chart, compact=compact)
        figure.draw_without_rendering()
        axes = figure.axes[0]
        # A radar's names (and its rings' numbers) are texts on its axes; bars have tick labels.
        radar = isinstance(chart, RadarChart) and not compact
        labels = list(axes.texts) if radar else axes.get_yticklabels()
        for label in labels:
            box = label.get_window_extent()
            assert box.x0 >= 0, label.get_text()
            assert box.x1 <= figure.bbox.x1, label.get_text()
    return [label.get_text() for label in labels]


def test_long_english_labels_wrap_at_spaces_and_stay_inside_the_image() -> None:
    values = tuple(50.0 for _axis in ENGLISH_AXES)
    radar = RadarChart(
        meta=ChartMeta(title="和歌山県 和歌山市 deviation scores by category"),
        axes=ENGLISH_AXES,
        series=(Series("Subjective (survey)", values),),
        value_label="Deviation score",
    )
    texts = _text_inside_figure(radar)
    assert "Primary and\nsecondary education" in texts
    _text_inside_figure(radar, compact=True)
    bars = BarChart(
        meta=META,
        categories=(
            "Medical facilities in the area where I live are well provided.",
            "The area where I live makes it easy for young people to play an active role.",
        ),
        series=(Series("Subjective (survey)", (51.6, 35.3)),),
        value_label="Deviation score",
    )
    for compact in (False, True):
        wrapped = [t for t in _text_inside_figure(bars, compact=compact) if "Medical" in t]
        assert wrapped[0].count("\n") >= 1
        assert all(line.strip() for line in wrapped[0].split("\n"))
        assert not any(line.endswith(("Medi", "facili")) for line in wrapped[0].split("\n"))
        longest = [t for t in _text_inside_figure(bars, compact=compact) if "young" in t]
        assert longest[0].replace("\n", " ").endswith("an active role.")  # not cut short


def test_text_uses_the_trimmed_font_with_every_character_and_metric() -> None:
    source = _fontja_ttf()
    assert source is not None
    found = font_manager.findfont(
        font_manager.FontProperties(family=japanese_font_family()), fallback_to_default=False
    )
    assert found == str(trimmed_font(source))
    original, trimmed = TTFont(source), TTFont(found)
    assert trimmed.getBestCmap() == original.getBestCmap()
    assert trimmed["name"].getDebugName(4) == original["name"].getDebugName(4)
    for char in "和歌山県A.":
        glyph = original.getBestCmap()[ord(char)]
        assert trimmed["hmtx"][glyph] == original["hmtx"][glyph]
        outline = trimmed["glyf"][glyph].getCoordinates(trimmed["glyf"])[0]
        assert outline == original["glyf"][glyph].getCoordinates(original["glyf"])[0]
    assert "vmtx" not in trimmed
    assert "vert" not in {f.FeatureTag for f in trimmed["GSUB"].table.FeatureList.FeatureRecord}


def test_renders_in_threads_take_turns_with_matplotlib_settings() -> None:
    """matplotlib's settings are global: a second render must not enter (and later reset)
    them while a first one is drawing, or the first one's text falls back to DejaVu Sans and
    Japanese is drawn as empty boxes (seen with a threaded app server)."""
    import threading

    from matplotlib import rcParams

    from machiwb.charts.render import japanese_style

    entered, release = threading.Event(), threading.Event()
    events: list[str] = []

    def first() -> None:
        with _chart_style():
            entered.set()
            release.wait(5)
            events.append(f"first drew with {rcParams['font.family'][0]}")

    def second() -> None:
        with japanese_style({"text.color": "#000000"}):
            events.append("second entered")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert entered.wait(5)
    threads[1].start()
    threads[1].join(0.3)
    assert events == []  # the second render waits for the first
    release.set()
    for thread in threads:
        thread.join(5)
    assert events == ["first drew with IPAexGothic", "second entered"]
