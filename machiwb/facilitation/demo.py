"""Demo data of the facilitation app: a registry of fictional facilitators (デモ).

The names are obviously made up and every entry is marked as demo data, which the pages show
as 「デモ（架空の人物）」. Running it again changes nothing.
"""

from __future__ import annotations

import datetime

from django.core.management.base import OutputWrapper
from django.db import transaction

from machiwb.facilitation.models import Facilitator
from machiwb.regions.models import Prefecture

#: (name, kana, prefecture codes, specialties, languages, weekdays, valid until)
DEMO_FACILITATORS = (
    (
        "デモ 進行役 一花",
        "デモ シンコウヤク イチカ",
        ["300004", "290009"],
        ["staff_training", "dashboard", "logic_tree"],
        ["ja"],
        [0, 1, 2, 3, 4],
        datetime.date(2027, 9, 30),
    ),
    (
        "デモ 進行役 二郎",
        "デモ シンコウヤク ジロウ",
        ["300004", "270008"],
        ["resident_dialogue", "childcare", "mobility"],
        ["ja", "en"],
        [1, 3, 5],
        datetime.date(2027, 9, 30),
    ),
    (
        "デモ 進行役 三咲",
        "デモ シンコウヤク ミサキ",
        ["270008", "280003", "300004"],
        ["stakeholder_dialogue", "health_care", "dashboard"],
        ["ja", "zh"],
        [0, 2, 4, 5, 6],
        datetime.date(2028, 3, 31),
    ),
    (
        "デモ 進行役 四季",
        "デモ シンコウヤク シキ",
        ["300004", "240001"],
        ["disaster", "digital", "staff_training"],
        ["ja"],
        [0, 1, 2, 3, 4],
        # Lapsed: shows how the matching screen treats a facilitator due for renewal.
        datetime.date(2025, 9, 30),
    ),
)


def load_demo_data(stdout: OutputWrapper) -> None:
    with transaction.atomic():
        for name, kana, prefs, specialties, languages, weekdays, valid_until in DEMO_FACILITATORS:
            facilitator, _created = Facilitator.objects.update_or_create(
                name=name,
                is_demo=True,
                defaults={
                    "name_kana": kana,
                    "specialties": specialties,
                    "languages": languages,
                    "available_weekdays": weekdays,
                    "training_completed_on": datetime.date(2024, 10, 1),
                    "certification_valid_until": valid_until,
                    "is_active": True,
                    "is_public": True,
                },
            )
            facilitator.prefectures.set(Prefecture.objects.filter(code__in=prefs))
    stdout.write(f"demo facilitators: {len(DEMO_FACILITATORS)}")
