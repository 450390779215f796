"""The job status page as staff see it: it follows a running job without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from machiwb.accounts.models import User
from machiwb.accounts.testing import login_staff
from machiwb.core.tests.browser import PHONE_VIEWPORT, assert_accessible, page_width
from machiwb.jobs.models import Job, JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_page_follows_the_job_to_its_result(live_server: Any, page: Any) -> None:
    user = User.objects.create_user("staff@kainan.example.jp", "x", display_name="田中 花子")
    job = Job.objects.create(
        kind="jobs.unregistered", actor=user, status=JobStatus.RUNNING, done=37, total=120
    )
    client = Client()
    login_staff(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    status = page.get_by_role("status")
    assert "37 / 120 件（30%）" in status.inner_text()
    assert_accessible(page)
    job.status, job.done, job.message = JobStatus.SUCCEEDED, 120, "120 件を取り込みました。"
    job.save(update_fields=["status", "done", "message_lines"])
    expect(page.locator("#job-status")).to_contain_text("120 件を取り込みました。", timeout=10_000)
    assert "完了" in status.inner_text()
    assert page_width(page) <= PHONE_VIEWPORT["width"]


def test_operations_page_is_accessible(live_server: Any, page: Any) -> None:
    operator = User.objects.create_user("ops@example.jp", "x", is_operator=True)
    client = Client()
    login_staff(client, operator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/jobs/operations/")
    assert page.get_by_role("heading", level=1).inner_text() == "バックアップと復元訓練"
    assert page.get_by_role("button", name="復元訓練を開始").is_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE_VIEWPORT)
    assert_accessible(page)
