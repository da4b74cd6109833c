"""The Campaigns section and its four-step wizard, through the test client."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import (
    Campaign,
    Creative,
    CreativeStatus,
    CreativeVersion,
    Plan,
    PublicationStatus,
    Review,
)
from campaigns.services import (
    campaign_create,
    campaign_generate,
    creative_decide,
    creative_revise,
)
from campaigns.tests.factories import (
    BrandFactory,
    CampaignFactory,
    CreativeFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db

START = date(2026, 11, 30)


def _form(brand_, **overrides):
    data = {
        "brand": brand_.pk, "name": "Autumn roast", "objectives": "Grow newsletter sign-ups",
        "platforms": ["linkedin"], "cadence": "3", "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=27)).isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _generated(operator, **kwargs):
    kwargs.setdefault("start_date", START)
    kwargs.setdefault("end_date", START + timedelta(days=27))
    campaign = CampaignFactory(**kwargs)
    campaign_generate(campaign=campaign, user=operator, engine="local")
    return campaign


# --- the section index -------------------------------------------------------------------------


def test_campaign_index_lists_each_campaign_with_its_step(viewer_client, operator, approver):
    created = CampaignFactory(name="Just created")
    generated = _generated(operator, name="Fresh posts")
    in_review = _generated(operator, name="Half reviewed")
    first = in_review.creatives.first()
    creative_decide(creative=first, reviewer=approver, approve=False, reason="Too long")
    approved = CampaignFactory(name="All approved")
    CreativeFactory(campaign=approved, status=CreativeStatus.APPROVED)
    executing = CampaignFactory(name="Going out")
    PublicationFactory(creative__campaign=executing, status=PublicationStatus.PENDING)
    CreativeFactory(campaign=executing, status=CreativeStatus.APPROVED)
    complete = CampaignFactory(name="All done")
    PublicationFactory(creative__campaign=complete)

    page = viewer_client.get("/campaigns/").content.decode()

    for campaign, label in [(created, "Created"), (generated, "Generated"), (in_review, "In review"),
                            (approved, "Approved"), (executing, "Executing"), (complete, "Complete")]:
        row = page[page.index(f">{campaign.name}</a>"):]
        row = row[: row.index("</tr>")]
        assert f">{label}</span>" in row, (campaign.name, row)


@pytest.mark.embedded
def test_campaign_index_offers_new_campaign_to_operators_only(operator_client, viewer_client):
    assert 'href="/campaigns/new/"' in operator_client.get("/campaigns/").content.decode()
    assert 'href="/campaigns/new/"' not in viewer_client.get("/campaigns/").content.decode()


def test_campaign_index_query_count_does_not_grow_with_campaigns(viewer_client):
    CampaignFactory()
    viewer_client.get("/campaigns/")  # warm the session
    cache.clear()  # both requests compute the cached counts and options (counted below)
    with CaptureQueriesContext(connection) as few:
        viewer_client.get("/campaigns/")
    for _ in range(15):
        CreativeFactory(campaign=CampaignFactory())
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        viewer_client.get("/campaigns/")
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as cached:
        viewer_client.get("/campaigns/")
    assert len(cached) < len(many)


# --- end to end -------------------------------------------------------------------------------


@pytest.mark.embedded
def test_wizard_takes_a_campaign_from_creation_to_execution(operator_client, approver_client,
                                                            operator):
    brand = BrandFactory(name="Northwind Coffee")

    response = operator_client.post("/campaigns/new/", _form(brand))
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.pk}/step/2/"
    assert (campaign.owner, campaign.slug) == (operator, f"{brand.slug}-autumn-roast")

    page = operator_client.get(response["Location"]).content.decode()
    assert "Generate plan and creatives</button>" in page

    response = operator_client.post(f"/campaigns/{campaign.pk}/step/2/")
    assert response.status_code == 302
    assert "12 posts ready for review" in _messages(response)[0]
    creatives = Creative.objects.filter(campaign=campaign)
    assert creatives.count() == 12
    assert set(creatives.values_list("status", flat=True)) == {CreativeStatus.PENDING}
    assert set(creatives.values_list("author", flat=True)) == {operator.pk}
    assert CreativeVersion.objects.filter(creative__campaign=campaign, version=1).count() == 12
    plan = Plan.objects.get(campaign=campaign)
    assert len(plan.calendar) == 12 and plan.pillars and plan.key_messages

    page = operator_client.get(f"/campaigns/{campaign.pk}/step/2/").content.decode()
    assert "Plan v1" in page and plan.pillars[0] in page

    review_page = approver_client.get(f"/campaigns/{campaign.pk}/step/3/").content.decode()
    assert review_page.count('class="queue-card"') == 12
    first = creatives.order_by("scheduled_at").first()
    approver_client.post(f"/campaigns/queue/{first.pk}/approve/", {"version": 1})

    page = operator_client.get(f"/campaigns/{campaign.pk}/step/4/").content.decode()
    assert "1 approved post ready to go out" in page
    response = operator_client.post(f"/campaigns/{campaign.pk}/step/4/", {"posting_mode": "manual"})
    assert response["Location"] == f"/campaigns/{campaign.pk}/step/4/"
    campaign.refresh_from_db()
    assert campaign.posting_mode == "manual"
    page = operator_client.get(f"/campaigns/{campaign.pk}/step/4/").content.decode()
    assert f'href="/execution/?campaign={campaign.pk}"' in page


def test_wizard_stepper_shows_done_and_next(operator_client, operator):
    campaign = _generated(operator)
    page = operator_client.get(f"/campaigns/{campaign.pk}/step/2/").content.decode()
    stepper = page[page.index('class="stepper"'):page.index("</ol>")]
    assert stepper.count('class="is-done') == 2
    assert 'class="is-open is-next"' in stepper  # review is next
    assert 'class="is-locked"' in stepper  # execute is not reachable yet


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "This field is required."),
        ({"brand": None}, "brand", "This field is required."),
        ({"objectives": ""}, "objectives", "This field is required."),
        ({"platforms": None}, "platforms", "Choose at least one platform."),
        ({"platforms": ["myspace"]}, "platforms", "Select a valid choice."),
        ({"cadence": "0"}, "cadence", "greater than or equal to 1"),
        ({"cadence": "22"}, "cadence", "less than or equal to 21"),
        ({"start_date": "tomorrow"}, "start_date", "Enter a valid date."),
        ({"end_date": (START - timedelta(days=1)).isoformat()}, "end_date",
         "The end date cannot be before the start date."),
    ],
)
def test_wizard_create_shows_each_error_beside_its_field(operator_client, overrides, field,
                                                         message):
    brand = BrandFactory()
    response = operator_client.post("/campaigns/new/", _form(brand, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    errors = page[page.index(f'id="id_{field}_errors"'):]
    assert message in errors[: errors.index("</ul>")]
    assert not Campaign.objects.exists()


def test_wizard_create_refuses_a_name_the_brand_already_uses(operator_client):
    brand = BrandFactory()
    CampaignFactory(brand=brand, name="Autumn roast")
    page = operator_client.post("/campaigns/new/", _form(brand, name="autumn ROAST")).content.decode()
    assert "already has a campaign called" in page
    assert Campaign.objects.count() == 1


def test_wizard_create_allows_the_same_name_for_another_brand(operator_client):
    CampaignFactory(name="Autumn roast")
    response = operator_client.post("/campaigns/new/", _form(BrandFactory()))
    assert response.status_code == 302
    assert Campaign.objects.filter(name="Autumn roast").count() == 2


def test_campaign_create_makes_the_slug_unique(operator):
    brand = BrandFactory(slug="northwind")
    CampaignFactory(slug="northwind-spring")
    campaign = campaign_create(brand=brand, name="Spring", objectives="x", platforms=["x"],
                               cadence=1, start_date=START, end_date=START, owner=operator)
    assert campaign.slug == "northwind-spring-2"


# --- step guards --------------------------------------------------------------------------------


def test_wizard_refuses_review_before_generation(operator_client):
    campaign = CampaignFactory()
    response = operator_client.get(f"/campaigns/{campaign.pk}/step/3/")
    assert response["Location"] == f"/campaigns/{campaign.pk}/step/2/"
    assert _messages(response) == ["Generate the plan and creatives before reviewing them."]


def test_wizard_refuses_execution_before_generation(operator_client):
    campaign = CampaignFactory()
    response = operator_client.post(f"/campaigns/{campaign.pk}/step/4/", {"posting_mode": "live"})
    assert response["Location"] == f"/campaigns/{campaign.pk}/step/2/"
    campaign.refresh_from_db()
    assert campaign.posting_mode == ""


def test_wizard_refuses_execution_with_nothing_approved(operator_client, operator):
    campaign = _generated(operator)
    response = operator_client.get(f"/campaigns/{campaign.pk}/step/4/", follow=True)
    assert response.redirect_chain == [(f"/campaigns/{campaign.pk}/step/3/", 302)]
    assert "Nothing is approved yet" in response.content.decode()


@pytest.mark.embedded
def test_wizard_step_outside_one_to_four_is_not_found(operator_client):
    campaign = CampaignFactory()
    assert operator_client.get(f"/campaigns/{campaign.pk}/step/5/").status_code == 404
    assert operator_client.get(f"/campaigns/{campaign.pk}/step/0/").status_code == 404
    assert operator_client.get("/campaigns/999999/step/2/").status_code == 404


def test_wizard_step_one_of_a_campaign_is_its_page(operator_client):
    campaign = CampaignFactory(name="Spring")
    response = operator_client.get(f"/campaigns/{campaign.pk}/step/1/", follow=True)
    assert response.redirect_chain[-1][0] == f"/campaigns/{campaign.pk}/"
    assert "<h1>Spring</h1>" in response.content.decode()


def test_wizard_posting_mode_must_be_chosen(operator_client, operator, approver):
    campaign = _generated(operator)
    creative_decide(creative=campaign.creatives.first(), reviewer=approver, approve=True)
    page = operator_client.post(f"/campaigns/{campaign.pk}/step/4/", {"posting_mode": "fax"})
    assert "Select a valid choice" in page.content.decode()
    campaign.refresh_from_db()
    assert campaign.posting_mode == ""


# --- generation through the wizard --------------------------------------------------------------


def test_wizard_generate_shows_the_engine_error_and_saves_nothing(operator_client, backend):
    backend.mode = "error"
    campaign = CampaignFactory(start_date=START, end_date=START + timedelta(days=27))
    response = operator_client.post(f"/campaigns/{campaign.pk}/step/2/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was generated." in page
    assert "The AICMO backend answered with error 500; nothing was saved." in page
    assert not Plan.objects.exists() and not Creative.objects.exists()


@pytest.mark.embedded
def test_regenerate_keeps_approved_work_and_every_review(operator, approver):
    campaign = _generated(operator)
    first, second, third, fourth = campaign.creatives.order_by("scheduled_at")[:4]
    creative_decide(creative=first, reviewer=approver, approve=True)
    creative_decide(creative=second, reviewer=approver, approve=False, reason="Off brand")
    creative_decide(creative=third, reviewer=approver, approve=False, reason="Too long")
    creative_revise(creative=third, editor=operator, changes={"caption": "Shorter now."})
    untouched = set(campaign.creatives.exclude(pk__in=[first.pk, second.pk, third.pk])
                    .values_list("pk", flat=True))
    reviews = list(Review.objects.order_by("pk").values_list("pk", "creative", "reason"))

    outcome = campaign_generate(campaign=campaign, user=operator, engine="local")

    assert (outcome.replaced, outcome.kept, outcome.created) == (9, 3, 9)
    assert list(Review.objects.order_by("pk").values_list("pk", "creative", "reason")) == reviews
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.status == CreativeStatus.APPROVED
    assert (third.caption, third.version) == ("Shorter now.", 2)
    assert Creative.objects.filter(pk=second.pk, status=CreativeStatus.REJECTED).exists()
    assert not Creative.objects.filter(pk__in=untouched).exists()
    assert campaign.creatives.count() == 12  # no slot is written twice
    assert list(campaign.plans.values_list("version", flat=True)) == [2, 1]
    assert fourth.pk in untouched


# --- permissions ----------------------------------------------------------------------------------

ROLES = ["anonymous", "outsider", "viewer", "operator", "approver"]


@pytest.fixture
def world(operator, approver):
    """A campaign with a pending post, a rejected post and an approved post (by the operator)."""
    campaign = CampaignFactory(start_date=START, end_date=START + timedelta(days=27))
    pending = CreativeFactory(campaign=campaign, author=operator)
    rejected = CreativeFactory(campaign=campaign, author=operator)
    creative_decide(creative=rejected, reviewer=approver, approve=False, reason="No")
    CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED, author=operator)
    return {"campaign": campaign, "pending": pending, "rejected": rejected,
            "brand": campaign.brand}


def _client(role, client, request):
    if role == "anonymous":
        return client
    return request.getfixturevalue(f"{role}_client")


ACTIONS = {
    "create": (lambda w: "/campaigns/new/",
               lambda w: _form(w["brand"], name="Permission test")),
    "generate": (lambda w: f"/campaigns/{w['campaign'].pk}/step/2/", lambda w: {}),
    "posting_mode": (lambda w: f"/campaigns/{w['campaign'].pk}/step/4/",
                     lambda w: {"posting_mode": "proof"}),
    "approve": (lambda w: f"/campaigns/queue/{w['pending'].pk}/approve/",
                lambda w: {"version": 1}),
    "reject": (lambda w: f"/campaigns/queue/{w['pending'].pk}/reject/",
               lambda w: {"version": 1, "reason": "Not yet"}),
    "revise": (lambda w: f"/campaigns/queue/{w['rejected'].pk}/revise/",
               lambda w: {"caption": "Better.", "hashtags": "coffee", "link": "",
                          "call_to_action": "", "scheduled_at": "2026-12-01T09:00",
                          "image_alt": ""}),
    "bulk_approve": (lambda w: "/campaigns/queue/approve/",
                     lambda w: {"creative": [f"{w['pending'].pk}:1"]}),
}
ALLOWED = {
    "operator": {"create", "generate", "posting_mode", "revise"},
    "approver": set(ACTIONS),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, request, world, role, action):
    url, data = ACTIONS[action]
    response = _client(role, client, request).post(url(world), data(world))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif action in ALLOWED.get(role, set()):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ["anonymous", "viewer", "operator", "approver"])
def test_permission_matrix_changes_nothing_when_refused(client, request, world, role, action):
    url, data = ACTIONS[action]
    _client(role, client, request).post(url(world), data(world))
    changed = {
        "create": Campaign.objects.filter(name="Permission test").exists(),
        "generate": Plan.objects.exists(),
        "posting_mode": Campaign.objects.exclude(posting_mode="").exists(),
        "approve": Review.objects.filter(creative=world["pending"]).exists(),
        "reject": Review.objects.filter(creative=world["pending"]).exists(),
        "revise": Creative.objects.filter(pk=world["rejected"].pk, version=2).exists(),
        "bulk_approve": Review.objects.filter(creative=world["pending"]).exists(),
    }[action]
    assert changed == (action in ALLOWED.get(role, set()))


@pytest.mark.parametrize(
    "url",
    ["/campaigns/new/", "/campaigns/queue/approve/"],
)
def test_wizard_rejects_wrong_methods(operator_client, url):
    assert operator_client.put(url).status_code == 405


def test_wizard_step_rejects_post_to_read_only_steps(operator_client, world):
    campaign = world["campaign"]
    assert operator_client.post(f"/campaigns/{campaign.pk}/step/1/").status_code == 405
    assert operator_client.post(f"/campaigns/{campaign.pk}/step/3/").status_code == 405


def test_viewer_reads_every_step_without_buttons(viewer_client, world):
    campaign = world["campaign"]
    for step in (2, 3, 4):
        page = viewer_client.get(f"/campaigns/{campaign.pk}/step/{step}/").content.decode()
        assert "<button" not in page.split('<main', 1)[1].split("</main>")[0].replace(
            '<button type="submit" class="link-button">Sign out</button>', "")


def test_campaign_set_posting_mode_refuses_with_nothing_approved(operator):
    from django.core.exceptions import ValidationError

    from campaigns.services import campaign_set_posting_mode

    campaign = _generated(operator)
    with pytest.raises(ValidationError, match="Nothing is approved yet"):
        campaign_set_posting_mode(campaign=campaign, mode="live")


def test_campaign_index_pages_long_lists(viewer_client):
    from campaigns.selectors import CAMPAIGNS_PER_PAGE

    brand = BrandFactory()
    Campaign.objects.bulk_create([
        Campaign(brand=brand, name=f"Bulk {i}", slug=f"bulk-{i}", objectives="x",
                 platforms=["linkedin"], start_date=date(2026, 12, 1), end_date=date(2026, 12, 28))
        for i in range(CAMPAIGNS_PER_PAGE + 3)
    ])
    first = viewer_client.get("/campaigns/").content.decode()
    assert first.count("Open step") == CAMPAIGNS_PER_PAGE
    assert f"Page 1 of 2 · {CAMPAIGNS_PER_PAGE + 3} campaigns" in first
    second = viewer_client.get(f"/campaigns/?brand={brand.pk}&page=2").content.decode()
    assert second.count("Open step") == 3
