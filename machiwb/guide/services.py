"""Writes of the guide: the default FAQ entries a new installation starts with."""

from __future__ import annotations

from django.db import transaction

from machiwb.guide.faq_defaults import DEFAULT_FAQ
from machiwb.guide.models import FaqEntry


@transaction.atomic
def faq_defaults_install() -> int:
    """Add the default FAQ entries whose question is not there yet; returns how many were added."""
    existing = set(FaqEntry.objects.values_list("question", flat=True))
    new = [
        FaqEntry(topic=topic, question=question, answer=answer, order=order)
        for order, (topic, question, answer) in enumerate(DEFAULT_FAQ, start=1)
        if question not in existing
    ]
    FaqEntry.objects.bulk_create(new)
    return len(new)
