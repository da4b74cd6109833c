"""The public intake form: no login, CSRF, honeypot, rate limit, UTM attribution."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from campaigns.models import Creative
from leads.models import Lead
from leads.tests.factories import BrandFactory, CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

FORM = {"name": "Nia Obi", "email": "Nia@Example.com", "company": "Obi Ltd", "title": "Head of Ops",
        "phone": "", "message": "Call me", "consent": "on", "fax_number": ""}


@pytest.fixture
def brand():
    return BrandFactory(name="Helio", slug="helio")


def test_public_form_opens_without_login(client, brand):
    response = client.get("/intake/form/helio/?utm_source=newsletter")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Get in touch with Helio" in body
    assert 'value="newsletter"' in body
    assert "X-Frame-Options" not in response  # embeddable on the client's site


def test_public_form_answers_404_for_an_unknown_brand(client):
    assert client.get("/intake/form/nope/").status_code == 404


@pytest.mark.embedded
def test_public_form_creates_a_new_web_form_lead_and_thanks(client, brand):
    response = client.post("/intake/form/helio/", FORM)
    assert response.status_code == 302
    assert response["Location"] == "/intake/form/helio/thanks/"
    lead = Lead.objects.get()
    assert (lead.email, lead.source, lead.status, lead.consent) == (
        "nia@example.com", "web_form", "NEW", True
    )
    assert lead.consent_at is not None
    assert lead.notes == "Call me"
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_public_form_updates_the_known_lead(client, brand):
    LeadFactory(email="nia@example.com", name="", status="CONTACTED", source="csv_import")
    client.post("/intake/form/helio/", FORM)
    lead = Lead.objects.get()
    assert (lead.name, lead.status, lead.source) == ("Nia Obi", "CONTACTED", "csv_import")
    assert lead.activities.filter(kind="touch").exists()


def test_public_form_links_utm_campaign_and_creative(client, brand):
    campaign = CampaignFactory(brand=brand, slug="spring-solar")
    creative = Creative.objects.create(
        campaign=campaign, platform="linkedin", caption="Hi",
        scheduled_at=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC),
    )
    url = f"/intake/form/helio/?utm_source=linkedin&utm_campaign=spring-solar&utm_content={creative.pk}"
    client.post(url, {**FORM, "utm_source": "linkedin", "utm_campaign": "spring-solar",
                      "utm_content": str(creative.pk)})
    lead = Lead.objects.get()
    assert (lead.campaign, lead.creative) == (campaign, creative)
    assert (lead.utm_source, lead.utm_campaign, lead.utm_content) == (
        "linkedin", "spring-solar", str(creative.pk)
    )


def test_public_form_keeps_unmatched_utm_values_without_linking(client, brand):
    CampaignFactory(slug="other-brands", brand=BrandFactory(name="Other", slug="other"))
    client.post("/intake/form/helio/", {**FORM, "utm_campaign": "other-brands", "utm_content": "x"})
    lead = Lead.objects.get()
    assert lead.campaign is None and lead.creative is None
    assert lead.utm_campaign == "other-brands"


def test_public_form_requires_consent(client, brand):
    response = client.post("/intake/form/helio/", {**FORM, "consent": ""})
    assert response.status_code == 200
    assert "Please agree to be contacted" in response.content.decode()
    assert Lead.objects.count() == 0


def test_public_form_refuses_a_post_without_csrf_token(brand):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/intake/form/helio/", FORM)
    assert response.status_code == 403
    assert Lead.objects.count() == 0


def test_public_form_accepts_a_post_with_its_csrf_token(brand):
    client = Client(enforce_csrf_checks=True)
    client.get("/intake/form/helio/")
    token = client.cookies["csrftoken"].value
    response = client.post("/intake/form/helio/", {**FORM, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Lead.objects.count() == 1


def test_public_form_honeypot_thanks_the_bot_and_keeps_nothing(client, brand):
    response = client.post("/intake/form/helio/", {**FORM, "fax_number": "+1 555 0100"})
    assert response.status_code == 302
    assert response["Location"] == "/intake/form/helio/thanks/"
    assert Lead.objects.count() == 0


def test_public_form_rate_limits_each_address(client, brand, settings):
    settings.LEADS_FORM_RATE_LIMIT = 2
    for index in range(2):
        response = client.post("/intake/form/helio/", {**FORM, "email": f"p{index}@ex.com"})
        assert response.status_code == 302
    response = client.post("/intake/form/helio/", {**FORM, "email": "p3@ex.com"})
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()
    assert Lead.objects.count() == 2
    other = client.post("/intake/form/helio/", {**FORM, "email": "p4@ex.com"},
                        REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_public_form_rejects_other_methods(client, brand):
    assert client.put("/intake/form/helio/").status_code == 405
