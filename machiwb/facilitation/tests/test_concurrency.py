"""Two operators proposing the same facilitator for the same day at once: one wins (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections

from machiwb.accounts.models import Membership, Role, User
from machiwb.facilitation import services
from machiwb.facilitation.models import (
    Dispatch,
    DispatchDateCandidate,
    DispatchState,
    WorkshopKind,
)
from machiwb.facilitation.tests.conftest import days_from_today, make_facilitator
from machiwb.regions.models import Municipality


@pytest.mark.django_db(transaction=True)
def test_concurrent_proposals_book_a_facilitator_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    call_command("load_regions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    day = days_from_today(10)
    operator = User.objects.create_user("op@example.jp", "x", is_operator=True)
    facilitator = make_facilitator(None, "デモ 進行役A")
    dispatches = []
    for code in ("302015", "302023"):
        town = Municipality.objects.get(code=code)
        staff = User.objects.create_user(f"staff@{code}.example.jp", "x")
        Membership.objects.create(user=staff, municipality=town, role=Role.EDITOR)
        dispatch = Dispatch.objects.create(
            municipality=town,
            applicant=staff,
            kind=WorkshopKind.STAFF,
            fiscal_year=2026,
            venue="会議室",
            purpose="研修",
        )
        DispatchDateCandidate.objects.create(dispatch=dispatch, day=day)
        dispatches.append(dispatch)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def propose(dispatch: Dispatch) -> None:
        try:
            barrier.wait()
            services.dispatch_propose(
                user=operator, dispatch=dispatch, facilitator=facilitator, workshop_date=day
            )
            outcomes.append("proposed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=propose, args=(d,)) for d in dispatches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["proposed", "refused"]
    assert Dispatch.objects.filter(state=DispatchState.PROPOSED, workshop_date=day).count() == 1
