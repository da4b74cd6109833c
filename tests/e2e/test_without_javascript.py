"""With JavaScript off, the approval and manual posting flows still complete: every action is a
plain form post answered by a redirect (post, redirect, get)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import CreativeStatus, PostingMode, Publication, PublicationStatus, Review
from campaigns.tests.factories import BrandFactory, CampaignFactory, CreativeFactory
from tests.e2e.conftest import sign_in

LINKEDIN_URL = "https://www.linkedin.com/posts/northwind-roasters_nojs-7312345678901234567"


def _campaign(*, status: str, platforms: list[str], posting_mode: str = ""):
    brand = BrandFactory(name="Northwind Roasters", slug="northwind-roasters")
    campaign = CampaignFactory(brand=brand, name="Quiet launch", slug="quiet-launch",
                               platforms=platforms, posting_mode=posting_mode)
    soon = timezone.now() + timedelta(days=1)
    creatives = [
        CreativeFactory(campaign=campaign, platform=platform, status=status,
                        scheduled_at=soon + timedelta(hours=n),
                        caption=f"Post {n} on {platform}: the roast, step by step.")
        for n, platform in enumerate(platforms)
    ]
    return campaign, creatives


def test_approval_flow_completes_without_javascript(nojs_page, open_page, live_server, make_user):
    campaign, (first, second) = _campaign(status=CreativeStatus.PENDING,
                                          platforms=["linkedin", "x"])
    make_user("arjun", "Approver")
    make_user("olivia", "Operator")
    approver = nojs_page
    sign_in(approver, live_server, "arjun")
    queue = f"{live_server.url}/campaigns/queue/?campaign={campaign.pk}"
    approver.goto(queue)
    approver.shots("queue")

    # Reject the first with a reason: the form posts, the server redirects back to the queue.
    card = approver.locator(f"#creative-{first.pk}")
    card.get_by_label("Reason for rejecting").fill("Too long; lead with the roast date.")
    card.get_by_role("button", name="Reject").click()
    expect(approver.locator(".messages")).to_contain_text("Rejected: LinkedIn post v1 of Quiet launch.")
    assert approver.url == queue
    expect(approver.locator(f"#creative-{first.pk}")).to_contain_text(
        "Rejected by Arjun: “Too long; lead with the roast date.”")
    approver.shots("rejected")

    # An empty reason is refused with a message, and nothing is decided.
    card = approver.locator(f"#creative-{second.pk}")
    card.get_by_label("Reason for rejecting").fill("   ")
    card.get_by_role("button", name="Reject").click()
    expect(approver.locator(".messages")).to_contain_text("Say why the post is rejected")
    assert not Review.objects.filter(creative=second).exists()

    # Approve the second.
    approver.locator(f"#creative-{second.pk}").get_by_role("button", name="Approve v1").click()
    expect(approver.locator(".messages")).to_contain_text("Approved: X post v1 of Quiet launch.")
    expect(approver.locator(f"#creative-{second.pk}")).to_have_count(0)
    approver.shots("approved")

    # The Operator revises the rejected post on its own page, also without JavaScript.
    operator = open_page("olivia", javascript=False)
    sign_in(operator, live_server, "olivia")
    operator.goto(queue)
    operator.locator(f"#creative-{first.pk}").get_by_role("button", name="Revise").click()
    expect(operator.locator("h1")).to_have_text("Revise LinkedIn post v1")
    operator.fill("textarea[name=caption]", "Roasted Monday, with you by Friday.")
    operator.shots("revise")
    operator.get_by_role("button", name="Save as v2 and send for review").click()
    expect(operator.locator(".messages")).to_contain_text("back in the queue as version 2")
    assert operator.url == queue

    # …and the Approver approves v2.
    approver.reload()
    approver.locator(f"#creative-{first.pk}").get_by_role("button", name="Approve v2").click()
    expect(approver.locator(".messages")).to_contain_text("Approved: LinkedIn post v2 of Quiet launch.")
    approver.shots("approved-v2")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, first.status) == (2, CreativeStatus.APPROVED)
    assert second.status == CreativeStatus.APPROVED
    assert list(Review.objects.filter(creative=first).order_by("version", "pk")
                .values_list("version", "decision", "reason")) == [
        (1, "rejected", "Too long; lead with the roast date."), (2, "approved", "")]
    assert approver.console_errors == operator.console_errors == []


@pytest.mark.embedded  # `make run`'s SQLite database serves the same flow
def test_manual_posting_flow_completes_without_javascript(nojs_page, live_server, make_user):
    campaign, (linkedin, x) = _campaign(status=CreativeStatus.APPROVED,
                                        platforms=["linkedin", "x"],
                                        posting_mode=PostingMode.MANUAL)
    make_user("olivia", "Operator")
    page = nojs_page
    sign_in(page, live_server, "olivia")
    page.get_by_role("link", name="Execution", exact=True).first.click()
    expect(page.locator("#execution-results")).to_contain_text("2 posts waiting")
    page.shots("execution")

    # Post the LinkedIn one by hand; a link on the wrong site is refused first.
    page.locator(f"a[href='/execution/linkedin/{linkedin.pk}/']").click()
    expect(page.locator("h1")).to_contain_text("Post on LinkedIn")
    page.get_by_label("The post's link").fill("https://x.com/northwind/status/1")
    page.get_by_role("button", name="Mark as posted").click()
    expect(page.locator("#posting-panel .form-error")).to_contain_text(
        "A LinkedIn post's link must be on linkedin.com")
    assert not Publication.objects.exists()
    page.shots("wrong-link")
    # The refused form comes back as 400, which Chromium reports on the console: expected here.
    assert [error for error in page.console_errors if "400 (Bad Request)" not in error] == []
    page.console_errors.clear()
    page.get_by_label("The post's link").fill(LINKEDIN_URL)
    page.get_by_role("button", name="Mark as posted").click()
    expect(page.locator(".messages")).to_contain_text("Recorded as posted.")
    expect(page.get_by_role("link", name=LINKEDIN_URL)).to_be_visible()
    page.shots("posted")

    # Skip the X one with a reason (the <details> opens without JavaScript).
    page.goto(f"{live_server.url}/execution/x/{x.pk}/")
    page.locator("summary", has_text="Skip this post").click()
    page.get_by_label("Why skip this post?").fill("The X account is paused this month.")
    page.get_by_role("button", name="Skip with this reason").click()
    expect(page.locator(".messages")).to_contain_text("Skipped")
    expect(page.locator("#posting-panel")).to_contain_text("The X account is paused this month.")

    # The checklist: both accounted for; complete the campaign.
    page.get_by_role("link", name="checklist").first.click()
    expect(page.locator("h1")).to_have_text("Execution checklist")
    page.get_by_role("button", name="Mark the campaign complete").click()
    expect(page.locator(".messages")).to_contain_text("The campaign is complete.")
    expect(page.locator("#completion")).to_contain_text("Complete since")
    page.shots("checklist-complete")

    publications = {p.creative_id: p for p in Publication.objects.all()}
    assert (publications[linkedin.pk].status, publications[linkedin.pk].url) == (
        PublicationStatus.PUBLISHED, LINKEDIN_URL)
    assert (publications[x.pk].status, publications[x.pk].skip_reason) == (
        PublicationStatus.SKIPPED, "The X account is paused this month.")
    campaign.refresh_from_db()
    assert campaign.completed_at is not None
    assert page.console_errors == []
