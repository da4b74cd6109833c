"""The whole campaign in a real browser, with JavaScript on: an Operator and an Approver, each in
their own browser, take one campaign from the wizard to its completed checklist, its export and
its PDF report.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from aicmo_site.sections import SECTIONS
from campaigns.models import (
    Brand,
    Campaign,
    CreativeStatus,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
)
from tests.e2e.conftest import sign_in

LINKEDIN_URL = "https://www.linkedin.com/posts/northwind-roasters_spring-7312345678901234567"
X_URL = "https://x.com/northwind/status/1861234567890123456"


def _card(page, creative_pk: int):
    return page.locator(f"#creative-{creative_pk}")


def test_campaign_from_wizard_to_completed_checklist_and_export(
    page, open_page, live_server, make_user
):
    Brand.objects.create(
        name="Northwind Roasters", industry="Coffee", audience="Home baristas",
        voice="Warm and precise", default_hashtags=["coffee"], website="https://northwind.example",
    )
    make_user("olivia", "Operator")
    make_user("arjun", "Approver")
    operator = page
    sign_in(operator, live_server, "olivia")

    # 1. Create through the wizard: two platforms, two posts a week each, for one week.
    operator.get_by_role("link", name="Campaigns", exact=True).first.click()
    operator.get_by_role("button", name="New campaign").click()
    expect(operator.locator("h1")).to_have_text("New campaign")
    operator.select_option("#id_brand", label="Northwind Roasters")
    operator.fill("#id_name", "Spring beans")
    operator.fill("#id_objectives", "Grow newsletter sign-ups\nLaunch the spring blend")
    operator.get_by_label("LinkedIn").check()
    operator.get_by_label("X", exact=True).check()
    operator.fill("#id_cadence", "2")
    start = date.today() + timedelta(days=1)
    operator.fill("#id_start_date", start.isoformat())
    operator.fill("#id_end_date", (start + timedelta(days=6)).isoformat())
    operator.shots("wizard-create")
    operator.get_by_role("button", name="Create campaign").click()
    expect(operator.locator(".messages")).to_contain_text("Campaign “Spring beans” created")
    campaign = Campaign.objects.get(name="Spring beans")
    assert campaign.platforms == ["linkedin", "x"]

    # 2. Generate the plan and its posts.
    operator.get_by_role("button", name="Generate plan and creatives").click()
    expect(operator.locator(".messages")).to_contain_text("posts ready for review")
    operator.shots("wizard-generated")
    creatives = list(campaign.creatives.order_by("scheduled_at", "pk"))
    assert {c.platform for c in creatives} == {"linkedin", "x"}
    assert len(creatives) >= 3
    assert all(c.status == CreativeStatus.PENDING for c in creatives)
    operator.get_by_role("button", name="Next: review and approve").click()
    expect(operator.locator("h1")).to_have_text("Review and approve")
    operator.shots("wizard-review")

    # 3. The Approver rejects one post with a reason (htmx swaps the card in place).
    approver = open_page("arjun")
    sign_in(approver, live_server, "arjun")
    approver.goto(f"{live_server.url}/campaigns/queue/?campaign={campaign.pk}")
    expect(approver.locator("h1")).to_have_text("Approval queue")
    rejected = creatives[0]
    card = _card(approver, rejected.pk)
    card.get_by_label("Reason for rejecting").fill("Name the roast date; drop the exclamation.")
    card.get_by_role("button", name="Reject").click()
    expect(card).to_contain_text("Rejected by Arjun: “Name the roast date; drop the exclamation.”")
    approver.shots("queue-rejected-one")
    review = Review.objects.get(creative=rejected)
    assert (review.decision, review.version) == (ReviewDecision.REJECTED, 1)

    # 4. The Operator revises it from the queue: the form replaces the card, v2 goes back.
    operator.goto(f"{live_server.url}/campaigns/queue/?campaign={campaign.pk}")
    card = _card(operator, rejected.pk)
    expect(card).to_contain_text("Name the roast date")
    card.get_by_role("button", name="Revise").click()
    caption = card.locator("textarea[name=caption]")
    expect(caption).to_be_visible()
    operator.shots("queue-revise-form")
    caption.fill("Roasted on Monday, in your cup by Friday: the spring blend is here.")
    card.get_by_role("button", name="Save as v2 and send for review").click()
    expect(card.locator(".status-badge").first).to_have_text("Awaiting review")
    expect(card).to_contain_text("v2")
    operator.shots("queue-revised")
    rejected.refresh_from_db()
    assert (rejected.version, rejected.status) == (2, CreativeStatus.PENDING)

    # 5. The Approver approves everything awaiting review at once.
    approver.reload()
    bulk = approver.get_by_role("button", name=re.compile(r"Approve all \d+ awaiting review"))
    expect(bulk).to_have_text(f"Approve all {len(creatives)} awaiting review on this page")
    bulk.click()
    expect(approver.locator(".messages")).to_contain_text(f"Approved {len(creatives)} posts.")
    approver.shots("queue-all-approved")
    assert set(campaign.creatives.values_list("status", flat=True)) == {CreativeStatus.APPROVED}
    assert Review.objects.filter(creative__campaign=campaign,
                                 decision=ReviewDecision.APPROVED).count() == len(creatives)

    # 6. The Operator chooses manual posting in the wizard's last step.
    operator.goto(f"{live_server.url}/campaigns/{campaign.pk}/step/4/")
    expect(operator.locator("h1")).to_have_text("Execute")
    operator.get_by_label("Manual").check()
    operator.get_by_role("button", name="Save posting mode").click()
    expect(operator.locator(".messages")).to_contain_text("Posting mode saved")
    operator.shots("wizard-execute-manual")
    operator.get_by_role("button", name="Go to Execution (Manual)").click()
    expect(operator.locator("#execution-results")).to_contain_text(
        f"{len(creatives)} posts waiting")
    operator.shots("execution-queue")

    # 7. Post one LinkedIn and one X post by hand, entering each post's link.
    posted = {}
    for platform, url in (("linkedin", LINKEDIN_URL), ("x", X_URL)):
        creative = campaign.creatives.filter(platform=platform).order_by("scheduled_at").first()
        operator.goto(f"{live_server.url}/execution/?campaign={campaign.pk}")
        operator.locator(f"a[href='/execution/{platform}/{creative.pk}/']").click()
        expect(operator.locator("h1")).to_contain_text("Post on")
        operator.get_by_label("The post's link").fill(url)
        operator.get_by_role("button", name="Mark as posted").click()
        panel = operator.locator("#posting-panel")
        expect(panel).to_contain_text("Recorded as posted.")
        expect(panel.get_by_role("link", name=url)).to_be_visible()
        operator.shots(f"posted-{platform}")
        posted[creative.pk] = url

    # 8. The checklist: skip the rest with a reason, one posting session per platform.
    operator.goto(f"{live_server.url}/execution/campaign/{campaign.pk}/checklist/")
    expect(operator.locator("h1")).to_have_text("Execution checklist")
    operator.shots("checklist-two-posted")
    while True:
        expect(operator.locator("h1")).to_have_text("Execution checklist")
        expect(operator.locator("#completion")).to_be_attached()  # the table is parsed too
        post_them = operator.get_by_role("link", name="Post them")
        if not post_them.count():
            break
        post_them.first.click()
        while True:
            expect(operator.locator("#session-bar")).to_be_visible()
            operator.locator("summary", has_text="Skip this post").click()
            operator.get_by_label("Why skip this post?").fill("One post a week is enough in spring.")
            operator.get_by_role("button", name="Skip with this reason").click()
            panel = operator.locator("#posting-panel")
            expect(panel).to_contain_text("Skipped by Olivia: One post a week is enough in spring.")
            if panel.get_by_role("button", name="Next post →").count():
                panel.get_by_role("button", name="Next post →").click()
                continue
            panel.get_by_role("link", name="Open the checklist").click()
            break
    for url in posted.values():
        expect(operator.get_by_role("link", name=url)).to_be_visible()
    expect(operator.locator("table")).to_contain_text("skipped: One post a week is enough")
    operator.get_by_role("button", name="Mark the campaign complete").click()
    expect(operator.locator("#completion")).to_contain_text("Complete since")
    operator.shots("checklist-complete")

    publications = {p.creative_id: p for p in Publication.objects.filter(creative__campaign=campaign)}
    assert len(publications) == len(creatives)
    assert {pk: p.url for pk, p in publications.items() if p.status == "published"} == posted
    skipped = [p for p in publications.values() if p.status == PublicationStatus.SKIPPED]
    assert len(skipped) == len(creatives) - 2
    assert {p.skip_reason for p in skipped} == {"One post a week is enough in spring."}
    campaign.refresh_from_db()
    assert campaign.completed_at is not None

    # 9. Download the campaign's creatives export, as a browser download.
    with operator.expect_download() as download_info:
        operator.evaluate(
            """url => { const a = document.createElement("a"); a.href = url;
                        a.download = ""; document.body.appendChild(a); a.click(); }""",
            f"/delivery/export/creatives.csv?campaign={campaign.pk}",
        )
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert sorted(int(row["id"]) for row in rows) == sorted(c.pk for c in creatives)
    assert {row["campaign"] for row in rows} == {"Spring beans"}
    assert {row["status"] for row in rows} == {"approved"}
    by_id = {int(row["id"]): row for row in rows}
    assert by_id[rejected.pk]["version"] == "2"
    assert by_id[rejected.pk]["caption"].startswith("Roasted on Monday")

    # 9b. The client report: made as a PDF from the report page, then downloaded.
    operator.goto(f"{live_server.url}/delivery/campaign/{campaign.pk}/report/")
    operator.shots("report")
    operator.get_by_role("button", name="Make PDF report").click()
    link = operator.locator(".make-panel__files a").first
    link.wait_for()
    with operator.expect_download() as download_info:
        link.click()
    report = download_info.value
    assert report.suggested_filename.endswith(".pdf")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(report.path()).pages)
    assert "Spring beans" in text

    # 10. With the campaign's posts, reviews and publications in place, every section still
    # opens without a browser console error.
    for section in SECTIONS:
        operator.click(f"nav.section-nav a[href='{section.path}']")
        operator.wait_for_url(f"{live_server.url}{section.path}")
        expect(operator.locator("h1").first).to_have_text(section.title)
        operator.shots(f"section-{section.slug}")

    assert operator.console_errors == []
    assert approver.console_errors == []
