"""The Delivery page's tables (rendered by aicmo_site.templatetags.delivery_render)."""

from __future__ import annotations

import datetime
import io

import pytest

from campaigns.tests.factories import BrandFactory, CampaignFactory
from delivery.models import DeliveryKind
from delivery.services import delivery_record_create

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def test_index_campaign_row_shows_name_brand_period_and_files_made(operator_client, operator):
    campaign = CampaignFactory(name="Spring", brand=BrandFactory(name="Acme"),
                               start_date=datetime.date(2026, 3, 1),
                               end_date=datetime.date(2026, 4, 30))
    delivery_record_create(kind=DeliveryKind.REPORT_PDF, campaign=campaign, filename="r.pdf",
                           source=io.BytesIO(b"%PDF"), user=operator)
    page = operator_client.get("/delivery/").content.decode()
    assert ("<tr><td>Spring</td><td>Acme</td><td>1 Mar 2026 – 30 Apr 2026</td><td>1</td>"
            f'<td><a href="/delivery/campaign/{campaign.pk}/report/">Open report</a></td>') in page


def test_index_make_buttons_carry_the_csrf_token_and_come_back_here(operator_client):
    campaign = CampaignFactory()
    operator_client.get("/delivery/")
    page = operator_client.get("/delivery/").content.decode()
    assert f'<div id="make-{campaign.pk}"><div class="make-buttons">' in page
    assert f'hx-post="/delivery/campaign/{campaign.pk}/make/bundle/" hx-target="#make-{campaign.pk}"' in page
    assert page.count('name="csrfmiddlewaretoken" value="') == 2 + 1  # + sign-out
    assert page.count('<input type="hidden" name="next" value="/delivery/">') == 2


def test_index_escapes_campaign_brand_and_file_names(operator_client, operator):
    campaign = CampaignFactory(name=f"C {SCRIPT}", brand=BrandFactory(name=f"B {SCRIPT}"))
    delivery_record_create(kind=DeliveryKind.BUNDLE, campaign=campaign, filename=f"f{SCRIPT}.zip",
                           source=io.BytesIO(b"PK"), user=operator)
    page = operator_client.get("/delivery/").content.decode()
    assert "<script>" not in page
    assert f"<td>C {ESCAPED}</td><td>B {ESCAPED}</td>" in page
    assert f"<tr><td>f{ESCAPED}.zip</td>" in page


def test_index_record_row_shows_kind_size_hash_author_and_download(viewer_client, operator):
    record = delivery_record_create(kind=DeliveryKind.REPORT_PDF, campaign=None,
                                    filename="r.pdf", source=io.BytesIO(b"x" * 2048),
                                    user=operator)
    page = viewer_client.get("/delivery/").content.decode()
    assert (f"<tr><td>r.pdf</td><td>Campaign report (PDF)</td><td>—</td><td>2.0\xa0KB</td>"
            f'<td><code title="{record.sha256}">{record.sha256[:12]}…</code></td>'
            f"<td>{operator.username}</td>") in page
    assert f'<a href="/delivery/files/{record.pk}/" download>Download</a></td></tr>' in page


def test_index_export_cards_link_each_readable_kind_in_each_format(operator_client):
    page = operator_client.get("/delivery/").content.decode()
    assert ('<article class="export-card">\n  <h3>Leads</h3>\n'
            '  <p><a href="/delivery/export/leads.csv" download>CSV</a> · '
            '<a href="/delivery/export/leads.xlsx" download>XLSX</a> · '
            '<a href="/delivery/export/leads.json" download>JSON</a></p>\n</article>') in page


def test_index_lists_campaigns_newest_first_with_their_own_file_counts(operator_client, operator):
    old = CampaignFactory(name="Old", start_date=datetime.date(2025, 1, 1),
                          end_date=datetime.date(2025, 2, 1))
    new = CampaignFactory(name="New", start_date=datetime.date(2026, 1, 1),
                          end_date=datetime.date(2026, 2, 1))
    for _ in range(2):
        delivery_record_create(kind=DeliveryKind.BUNDLE, campaign=new, filename="b.zip",
                               source=io.BytesIO(b"PK"), user=operator)
    page = operator_client.get("/delivery/").content.decode()
    assert "<td>1 Jan 2026 – 1 Feb 2026</td><td>2</td>" in page
    assert "<td>1 Jan 2025 – 1 Feb 2025</td><td>0</td>" in page
    assert page.index(f"/campaign/{new.pk}/report/") < page.index(f"/campaign/{old.pk}/report/")
