"""Learn / Kaizen pages: access, both htmx and plain branches, and what the user sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaizen.models import ActionItem, Article, Retrospective
from kaizen.services import action_item_add, article_create, retrospective_open
from kaizen.tests.builders import at, make_brand, make_campaign, make_post

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article(operator):
    return article_create(title="Tone guide", body="Be **warm**.\n\n<script>alert(1)</script>",
                          tags=["tone"], author=operator)


@pytest.fixture
def retrospective(db):
    return retrospective_open(campaign=make_campaign(make_brand(), name="Spring",
                                                     completed_at=timezone.now()))


@pytest.fixture
def item(retrospective, operator):
    return action_item_add(retrospective=retrospective, description="Drop #coffeetime",
                           owner=operator, due_date=date(2026, 12, 1))


# --- Section page ---------------------------------------------------------------------------

@pytest.mark.embedded
def test_index_redirects_anonymous_users_to_login(client):
    assert client.get("/learn/")["Location"].startswith("/accounts/login/")


def test_index_is_forbidden_to_a_user_without_a_role(outsider_client):
    assert outsider_client.get("/learn/").status_code == 403


def test_index_rejects_post(operator_client):
    assert operator_client.post("/learn/").status_code == 405


@pytest.mark.embedded
def test_index_shows_open_action_items_articles_and_retrospectives(viewer_client, item, article):
    page = viewer_client.get("/learn/").content.decode()
    assert "Drop #coffeetime" in page
    assert "Tone guide" in page
    assert "Northwind · Spring" in page
    assert "Mark done" not in page  # viewers read only


def test_index_query_count_does_not_grow_with_data(operator_client, operator, retrospective):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert operator_client.get("/learn/").status_code == 200
        return len(queries)

    action_item_add(retrospective=retrospective, description="one", owner=operator,
                    due_date=date(2026, 12, 1))
    article_create(title="One", body="x", tags=[], author=operator)
    count_queries()
    small = count_queries()
    for n in range(5):
        retro = retrospective_open(campaign=make_campaign(retrospective.campaign.brand))
        action_item_add(retrospective=retro, description=f"item {n}", owner=operator,
                        due_date=date(2026, 12, 2))
        article_create(title=f"Article {n}", body="x", tags=["a"], author=operator)
    assert count_queries() == small


# --- Overview -------------------------------------------------------------------------------

def test_overview_lists_open_action_items_until_done(operator_client, item):
    assert "Drop #coffeetime" in operator_client.get("/").content.decode()
    operator_client.post(f"/learn/actions/{item.pk}/done/", {"done": "1"})
    operator_client.get("/")  # shows, and so clears, the "marked done" message
    page = operator_client.get("/").content.decode()
    assert "Drop #coffeetime" not in page
    assert "No open action items" in page


def test_overview_hides_action_items_from_a_user_without_a_role(outsider_client, item):
    assert "Drop #coffeetime" not in outsider_client.get("/").content.decode()


# --- Knowledge base -------------------------------------------------------------------------

@pytest.mark.embedded
def test_article_page_renders_markdown_without_scripts(viewer_client, article):
    page = viewer_client.get(f"/learn/articles/{article.slug}/").content.decode()
    assert "<strong>warm</strong>" in page
    assert "alert(1)" not in page


def test_article_page_of_unknown_slug_is_404(viewer_client, db):
    assert viewer_client.get("/learn/articles/nope/").status_code == 404


def test_article_list_filters_by_tag(viewer_client, article, operator):
    article_create(title="Other", body="x", tags=["misc"], author=operator)
    page = viewer_client.get("/learn/articles/?tag=tone").content.decode()
    assert "Tone guide" in page and "Other" not in page


def test_article_list_plain_request_gets_the_full_page(viewer_client, article):
    page = viewer_client.get("/learn/articles/?q=tone").content.decode()
    assert "<html" in page and "Tone guide" in page


def test_article_list_htmx_request_gets_only_the_results(viewer_client, article):
    page = viewer_client.get("/learn/articles/?q=tone", **HTMX).content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<div id="results">')
    assert "Tone guide" in page


def test_article_list_with_an_unknown_brand_says_so(viewer_client, article):
    response = viewer_client.get("/learn/articles/?brand=nobody")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_article_create_form_is_forbidden_to_viewers(viewer_client):
    assert viewer_client.get("/learn/articles/new/").status_code == 403
    assert viewer_client.post("/learn/articles/new/", {"title": "x", "body": "y"}).status_code == 403
    assert not Article.objects.exists()


def test_article_create_rejects_other_methods(operator_client):
    assert operator_client.put("/learn/articles/new/").status_code == 405


@pytest.mark.embedded
def test_article_create_saves_and_redirects(operator_client, operator):
    response = operator_client.post("/learn/articles/new/", {
        "title": "  Launch   checklist ", "body": "1. Check links", "tags": "Launch, #SEO, seo",
    })
    article = Article.objects.get()
    assert response["Location"] == f"/learn/articles/{article.slug}/"
    assert (article.title, article.tags, article.author) == ("Launch checklist",
                                                             ["launch", "seo"], operator)
    assert article.revisions.count() == 1


def test_article_create_with_an_empty_body_shows_the_error(operator_client):
    response = operator_client.post("/learn/articles/new/", {"title": "T", "body": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Article.objects.exists()


def test_article_edit_saves_a_new_version_and_history_shows_both(operator_client, article):
    response = operator_client.post(f"/learn/articles/{article.slug}/edit/", {
        "title": "Tone guide", "body": "Be precise.", "tags": "tone",
    })
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.body) == (2, "Be precise.")
    page = operator_client.get(f"/learn/articles/{article.slug}/history/").content.decode()
    assert "Version 2" in page and "Version 1" in page
    assert "Be precise." in page and "<strong>warm</strong>" in page


def test_article_edit_is_forbidden_to_viewers(viewer_client, article):
    response = viewer_client.post(f"/learn/articles/{article.slug}/edit/",
                                  {"title": "Hacked", "body": "x"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Tone guide"


# --- Retrospectives -------------------------------------------------------------------------

def test_retrospective_list_shows_open_item_counts(viewer_client, item):
    page = viewer_client.get("/learn/retrospectives/").content.decode()
    assert "Northwind · Spring" in page
    assert "<td>1</td>" in page


@pytest.fixture
def many_retrospectives(db):
    """51 retrospectives, opened a day apart: "Campaign 0" newest."""
    brand = make_brand()
    retrospectives = [
        retrospective_open(campaign=make_campaign(brand, name=f"Campaign {n}",
                                                  completed_at=timezone.now()))
        for n in range(51)
    ]
    for n, retrospective in enumerate(retrospectives):
        Retrospective.objects.filter(pk=retrospective.pk).update(
            opened_at=timezone.now() - timedelta(days=n))
    return retrospectives


def test_retrospective_list_shows_fifty_newest_first_and_pages_on(viewer_client,
                                                                  many_retrospectives):
    page = viewer_client.get("/learn/retrospectives/").content.decode()
    assert "51 retrospectives, newest first." in page
    assert page.count("<tr>") == 1 + 50
    assert page.index("· Campaign 0<") < page.index("· Campaign 49<")
    assert "· Campaign 50<" not in page
    assert "Page 1 of 2" in page and 'href="?page=2">Older' in page


def test_retrospective_list_last_page_holds_the_oldest(viewer_client, many_retrospectives):
    page = viewer_client.get("/learn/retrospectives/?page=2").content.decode()
    assert "· Campaign 50<" in page and "· Campaign 0<" not in page
    assert 'href="?page=1">← Newer' in page


def test_retrospective_list_page_out_of_range_or_not_a_number_still_shows_a_page(
        viewer_client, many_retrospectives):
    for asked in ("99", "nonsense"):
        response = viewer_client.get(f"/learn/retrospectives/?page={asked}")
        assert response.status_code == 200
    assert "Page 2 of 2" in viewer_client.get("/learn/retrospectives/?page=99").content.decode()
    assert "Page 1 of 2" in viewer_client.get(
        "/learn/retrospectives/?page=nonsense").content.decode()


def test_retrospective_page_is_read_only_for_viewers(viewer_client, retrospective):
    page = viewer_client.get(f"/learn/retrospectives/{retrospective.pk}/").content.decode()
    assert "Not written yet." in page
    assert 'name="what_worked"' not in page


def test_retrospective_update_plain_post_saves_and_redirects(operator_client, retrospective,
                                                             operator):
    url = f"/learn/retrospectives/{retrospective.pk}/notes/"
    response = operator_client.post(url, {"what_worked": "Reels", "what_did_not": "Threads"})
    assert response["Location"] == f"/learn/retrospectives/{retrospective.pk}/"
    retrospective.refresh_from_db()
    assert (retrospective.what_worked, retrospective.what_did_not,
            retrospective.updated_by) == ("Reels", "Threads", operator)


def test_retrospective_update_htmx_post_returns_the_notes(operator_client, retrospective):
    url = f"/learn/retrospectives/{retrospective.pk}/notes/"
    page = operator_client.post(url, {"what_worked": "Reels"}, **HTMX).content.decode()
    assert page.strip().startswith('<section id="retro-notes"')
    assert "Saved." in page


def test_retrospective_update_rejects_get(operator_client, retrospective):
    assert operator_client.get(f"/learn/retrospectives/{retrospective.pk}/notes/").status_code == 405


def test_retrospective_update_is_forbidden_to_viewers(viewer_client, retrospective):
    url = f"/learn/retrospectives/{retrospective.pk}/notes/"
    assert viewer_client.post(url, {"what_worked": "x"}).status_code == 403


def test_retrospective_update_redirects_anonymous_users(client, retrospective):
    url = f"/learn/retrospectives/{retrospective.pk}/notes/"
    assert client.post(url, {"what_worked": "x"})["Location"].startswith("/accounts/login/")


def test_action_item_add_plain_post_saves_and_redirects(operator_client, retrospective,
                                                        operator):
    url = f"/learn/retrospectives/{retrospective.pk}/actions/"
    response = operator_client.post(url, {"description": "Fix alt text", "owner": operator.pk,
                                          "due_date": "2026-12-01"})
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.description, item.owner, item.due_date) == ("Fix alt text", operator,
                                                              date(2026, 12, 1))


def test_action_item_add_htmx_post_returns_the_list(operator_client, retrospective, operator):
    url = f"/learn/retrospectives/{retrospective.pk}/actions/"
    page = operator_client.post(url, {"description": "Fix alt text", "owner": operator.pk,
                                      "due_date": "2026-12-01"}, **HTMX).content.decode()
    assert page.strip().startswith('<section id="action-items"')
    assert "Fix alt text" in page


def test_action_item_add_without_a_due_date_shows_the_error(operator_client, retrospective,
                                                           operator):
    url = f"/learn/retrospectives/{retrospective.pk}/actions/"
    response = operator_client.post(url, {"description": "Fix", "owner": operator.pk,
                                          "due_date": "someday"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not ActionItem.objects.exists()


def test_action_item_add_is_forbidden_to_viewers(viewer_client, retrospective, operator):
    url = f"/learn/retrospectives/{retrospective.pk}/actions/"
    response = viewer_client.post(url, {"description": "x", "owner": operator.pk,
                                        "due_date": "2026-12-01"})
    assert response.status_code == 403


def test_action_item_done_plain_post_returns_to_next(operator_client, item):
    response = operator_client.post(f"/learn/actions/{item.pk}/done/",
                                    {"done": "1", "next": "/learn/"})
    assert response["Location"] == "/learn/"
    item.refresh_from_db()
    assert item.is_done


def test_action_item_done_ignores_an_offsite_next(operator_client, item):
    response = operator_client.post(f"/learn/actions/{item.pk}/done/",
                                    {"done": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/learn/retrospectives/{item.retrospective_id}/"


def test_action_item_done_htmx_post_returns_the_row(operator_client, item):
    page = operator_client.post(f"/learn/actions/{item.pk}/done/", {"done": "1"},
                                **HTMX).content.decode()
    assert page.strip().startswith(f'<li class="action-item action-item--done" id="action-item-{item.pk}"')
    assert "Reopen" in page


def test_action_item_done_rejects_get(operator_client, item):
    assert operator_client.get(f"/learn/actions/{item.pk}/done/").status_code == 405


def test_action_item_done_is_forbidden_to_viewers(viewer_client, item):
    assert viewer_client.post(f"/learn/actions/{item.pk}/done/", {"done": "1"}).status_code == 403
    item.refresh_from_db()
    assert not item.is_done


def test_overdue_action_items_are_marked(viewer_client, retrospective, operator):
    action_item_add(retrospective=retrospective, description="Late one", owner=operator,
                    due_date=timezone.localdate() - timedelta(days=1))
    assert "overdue" in viewer_client.get("/learn/").content.decode()


# --- Insights -------------------------------------------------------------------------------

@pytest.mark.embedded
def test_insights_page_shows_charts_with_their_numbers(viewer_client, northwind):
    page = viewer_client.get("/learn/insights/?brand=northwind").content.decode()
    assert "Insights for Northwind" in page
    assert page.count('<svg role="img"') == 6
    assert "<td>Instagram</td><td>5.25%</td><td>3</td><td>210</td><td>4000</td>" in page
    assert "<td>Monday</td><td>4.80%</td><td>3</td>" in page
    assert "<td>#sale</td>" in page
    assert "<td>too salesy</td><td>2</td>" in page
    assert "4.0 hours" in page
    assert "Kaizen insights for Northwind: Mondays engage best" in page


def test_insights_page_says_when_there_is_not_enough_data(viewer_client, db):
    page = viewer_client.get("/learn/insights/").content.decode()
    assert "Not enough data yet: a figure needs at least 5 published posts" in page
    assert "<svg" not in page


def test_insights_htmx_request_gets_only_the_body(viewer_client, northwind):
    page = viewer_client.get("/learn/insights/?brand=northwind", **HTMX).content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<div id="insights-body">')


def test_insights_rejects_post(operator_client):
    assert operator_client.post("/learn/insights/").status_code == 405


def test_insights_is_forbidden_to_a_user_without_a_role(outsider_client):
    assert outsider_client.get("/learn/insights/").status_code == 403


def test_insights_query_count_does_not_grow_with_data(viewer_client, northwind):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            viewer_client.get("/learn/insights/?brand=northwind")
        return len(queries)

    count_queries()
    small = count_queries()
    campaign = make_campaign(northwind)
    for day in range(1, 13):
        make_post(campaign, platform="x", published_at=at(f"2026-10-{day:02d}", day),
                  impressions=100, likes=day, hashtags=[f"tag{day % 3}"])
    assert count_queries() == small


def test_retrospective_list_offers_to_open_missing_retrospectives(operator_client, db):
    make_campaign(make_brand(), completed_at=timezone.now())
    page = operator_client.get("/learn/retrospectives/").content.decode()
    assert "1 completed campaign has no retrospective yet." in page
    assert "Open its retrospective" in page


def test_retrospectives_open_opens_them_and_redirects(operator_client, db):
    campaign = make_campaign(make_brand(), completed_at=timezone.now())
    response = operator_client.post("/learn/retrospectives/open/")
    assert response["Location"] == "/learn/retrospectives/"
    assert campaign.retrospective.pk


def test_retrospectives_open_rejects_get(operator_client, db):
    assert operator_client.get("/learn/retrospectives/open/").status_code == 405


def test_retrospectives_open_is_forbidden_to_viewers(viewer_client, db):
    campaign = make_campaign(make_brand(), completed_at=timezone.now())
    assert viewer_client.post("/learn/retrospectives/open/").status_code == 403
    assert not Retrospective.objects.filter(campaign=campaign).exists()


def test_insights_with_an_unknown_brand_says_so_and_shows_all_brands(viewer_client, db):
    page = viewer_client.get("/learn/insights/?brand=nobody").content.decode()
    assert "Select a valid choice" in page
    assert "Insights for all brands" in page
