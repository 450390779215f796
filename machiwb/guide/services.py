"""Writes of the guide: the default FAQ entries a new installation starts with."""

from __future__ import annotations

from django.db import transaction

from machiwb.guide.faq_defaults import DEFAULT_FAQ
from machiwb.guide.models import FaqEntry


@transaction.atomic
def faq_defaults_install() -> int:
    """Add the default FAQ entries whose question is not there yet; returns how many were added.

    A default entry already there gets the English version if it has none (an operator's own
    English text is kept).
    """
    existing = {entry.question: entry for entry in FaqEntry.objects.all()}
    new = []
    for order, (topic, question, answer, question_en, answer_en) in enumerate(DEFAULT_FAQ, start=1):
        entry = existing.get(question)
        if entry is None:
            new.append(
                FaqEntry(
                    topic=topic,
                    question=question,
                    answer=answer,
                    question_en=question_en,
                    answer_en=answer_en,
                    order=order,
                )
            )
        elif not entry.question_en and not entry.answer_en:
            entry.question_en, entry.answer_en = question_en, answer_en
            entry.save(update_fields=["question_en", "answer_en", "updated_at"])
    FaqEntry.objects.bulk_create(new)
    return len(new)
