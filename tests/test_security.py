"""Security properties of the whole site, found the way an attacker would look for them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Routes an anonymous visitor may open. Everything else must send them to the login page.
PUBLIC_ROUTES = {
    "login",
    "diagnostics:healthz",
    "diagnostics:readyz",
    "leads:public_form",
    "leads:public_form_thanks",
    "campaigns:client_review",
}
PARAM_SAMPLES = {"int": "1", "slug": "sample", "str": "sample", "path": "sample", "uuid":
                 "00000000-0000-0000-0000-000000000001"}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


def _sample_path(route: str) -> str:
    import re

    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: PARAM_SAMPLES.get(m.group(1) or "str", "x"), route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def _app_routes():
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "static/", "media/")) or "(?P" in route:
            continue
        yield route, name


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_route_but_the_public_ones_sends_anonymous_users_to_login(method):
    client = Client()
    offenders = []
    for route, name in _app_routes():
        if name in PUBLIC_ROUTES:
            continue
        path = _sample_path(route)
        response = getattr(client, method)(path)
        redirected_to_login = response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        )
        if not redirected_to_login:
            offenders.append(f"{method.upper()} {path} ({name}) → {response.status_code}")
    assert not offenders, offenders


@pytest.mark.django_db
def test_csrf_is_enforced_on_posts_including_htmx(operator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post("/autonomy/kill-switch/", {"on": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.embedded
def test_repeated_failed_sign_ins_lock_the_account(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    User.objects.create_user("victim", password="right-password")
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "victim", "password": "right-password"})
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_works_below_the_failure_limit(settings):
    User.objects.create_user("ann", password="right-password")
    client = Client()
    client.post("/accounts/login/", {"username": "ann", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "ann", "password": "right-password"})
    assert response.status_code == 302


def test_check_deploy_reports_nothing_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7!k2@production-grade-secret-key-with-enough-length-and-variety-0987",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "ALLOWED_HOSTS": "aicmo.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- the permission matrix: every state-changing view, every role -----------------------------

ROLES = ["anonymous", "outsider", "viewer", "operator", "approver"]
WRITERS = {"operator", "approver"}
APPROVERS = {"approver"}
EVERYONE_SIGNED_IN = {"viewer", "operator", "approver"}


@pytest.fixture
def world(operator, approver):
    """One of everything a state-changing view can act on."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from autonomy.models import ActionStatus, AgentAction
    from autonomy.policy import global_policy
    from campaigns.client_review import review_link_create
    from campaigns.models import CreativeStatus
    from campaigns.services import creative_decide
    from campaigns.tests.factories import (
        BrandFactory,
        CampaignFactory,
        CreativeFactory,
        PlanFactory,
        PublicationFactory,
    )
    from kaizen.services import action_item_add, article_create, retrospective_open
    from leads.services import import_job_create
    from leads.tests.factories import LeadFactory, ScoringRuleFactory

    brand = BrandFactory(slug="matrix-brand")
    campaign = CampaignFactory(brand=brand, platforms=["linkedin", "mastodon"])
    pending = CreativeFactory(campaign=campaign, author=operator)
    rejected = CreativeFactory(campaign=campaign, author=operator)
    creative_decide(creative=rejected, reviewer=approver, approve=False, reason="No")
    retrospective = retrospective_open(campaign=campaign)
    suggestion = AgentAction.objects.create(
        kind="approve_creative", status=ActionStatus.PROPOSED, level="suggest",
        policy=global_policy(), target_key=f"creative:{pending.pk}",
        inputs={"description": "Approve it"},
    )
    return {
        "brand": brand, "campaign": campaign, "pending": pending, "rejected": rejected,
        "draft": CreativeFactory(campaign=campaign, status=CreativeStatus.DRAFT),
        "approved": CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED),
        "publication": PublicationFactory(creative__campaign=campaign),
        "plan": PlanFactory(campaign=campaign), "lead": LeadFactory(),
        "rule": ScoringRuleFactory(), "suggestion": suggestion,
        "job": import_job_create(upload=SimpleUploadedFile(
            "l.csv", b"email,name\na@example.com,Ann\n"), actor=operator),
        "link": review_link_create(campaign=campaign, label="Client", user=approver)[0],
        "article": article_create(title="Matrix", body="Body", tags=["a"], author=operator),
        "retrospective": retrospective,
        "item": action_item_add(retrospective=retrospective, description="Do it",
                                owner=operator, due_date=date.today()),
        "operator": operator,
    }


def _csv(name: str, body: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="text/csv")


# URL name: (path from the world, valid form data from the world, roles allowed to change data)
STATE_CHANGING = {
    "campaigns:new": (lambda w: "/campaigns/new/", lambda w: {
        "brand": w["brand"].pk, "name": "Matrix", "objectives": "Grow", "platforms": ["linkedin"],
        "cadence": "3", "start_date": "2026-12-01", "end_date": "2026-12-28"}, WRITERS),
    "campaigns:step": (lambda w: f"/campaigns/{w['campaign'].pk}/step/4/",
                       lambda w: {"posting_mode": "proof"}, WRITERS),
    "campaigns:approve": (lambda w: f"/campaigns/queue/{w['pending'].pk}/approve/",
                          lambda w: {"version": 1}, APPROVERS),
    "campaigns:reject": (lambda w: f"/campaigns/queue/{w['pending'].pk}/reject/",
                         lambda w: {"version": 1, "reason": "Not yet"}, APPROVERS),
    "campaigns:bulk_approve": (lambda w: "/campaigns/queue/approve/",
                               lambda w: {"creative": [f"{w['pending'].pk}:1"]}, APPROVERS),
    "campaigns:revise": (lambda w: f"/campaigns/queue/{w['rejected'].pk}/revise/", lambda w: {
        "caption": "Better.", "hashtags": "coffee", "link": "", "call_to_action": "",
        "scheduled_at": "2026-12-01T09:00", "image_alt": ""}, WRITERS),
    "campaigns:plan_edit": (lambda w: f"/strategy/plans/{w['campaign'].pk}/edit/", lambda w: {
        "pillars": "Craft", "audience": "Baristas", "key_messages": "Fresh",
        "rationale": "Why"}, WRITERS),
    "campaigns:creative_edit": (lambda w: f"/creatives/{w['pending'].pk}/edit/", lambda w: {
        "caption": "Edited.", "hashtags": "", "link": "", "call_to_action": "",
        "scheduled_at": "2026-12-01T09:00", "image_alt": ""}, WRITERS),
    "campaigns:creative_count": (lambda w: f"/creatives/{w['pending'].pk}/count/",
                                 lambda w: {"caption": "Count me"}, EVERYONE_SIGNED_IN),
    "campaigns:creative_adapt": (lambda w: f"/creatives/{w['pending'].pk}/adapt/",
                                 lambda w: {"platform": "mastodon"}, WRITERS),
    "campaigns:creative_submit": (lambda w: f"/creatives/{w['draft'].pk}/submit/",
                                  lambda w: {}, WRITERS),
    "campaigns:execution_credential_save": (lambda w: "/execution/adapters/save/", lambda w: {
        "brand": w["brand"].pk, "platform": "mastodon", "adapter": "mastodon",
        "config": '{"api_base": "https://mastodon.social"}', "secret": "tok-123",
        "enabled": "on"}, WRITERS),
    "campaigns:execution_complete": (lambda w: f"/execution/campaign/{w['campaign'].pk}/complete/",
                                     lambda w: {}, WRITERS),
    "campaigns:execution_mark_posted": (
        lambda w: f"/execution/linkedin/{w['approved'].pk}/posted/",
        lambda w: {"url": "https://www.linkedin.com/feed/update/urn:li:activity:42/"}, WRITERS),
    "campaigns:execution_skip": (lambda w: f"/execution/linkedin/{w['approved'].pk}/skip/",
                                 lambda w: {"reason": "Off season"}, WRITERS),
    "campaigns:execution_simulate": (
        lambda w: f"/execution/linkedin/{w['approved'].pk}/simulate/", lambda w: {}, WRITERS),
    "campaigns:execution_publish": (
        lambda w: f"/execution/linkedin/{w['approved'].pk}/publish/", lambda w: {}, WRITERS),
    "campaigns:monitoring_figures_add": (
        lambda w: f"/monitoring/publication/{w['publication'].pk}/figures/",
        lambda w: {"impressions": "100", "likes": "5"}, WRITERS),
    "campaigns:monitoring_import": (lambda w: "/monitoring/import/", lambda w: {
        "file": _csv("m.csv", f"url,impressions\n{w['publication'].url},50\n".encode())},
        WRITERS),
    "campaigns:review_link_create": (lambda w: f"/campaigns/{w['campaign'].pk}/review-links/new/",
                                     lambda w: {"label": "Another", "days": "7"}, APPROVERS),
    "campaigns:review_link_revoke": (
        lambda w: f"/campaigns/{w['campaign'].pk}/review-links/{w['link'].pk}/revoke/",
        lambda w: {}, APPROVERS),
    "leads:add": (lambda w: "/intake/add/", lambda w: {"email": "new@example.com",
                                                       "source": "manual", "status": "NEW"},
                  WRITERS),
    "leads:import_upload": (lambda w: "/intake/imports/upload/", lambda w: {
        "file": _csv("l.csv", b"email,name\nb@example.com,Bo\n")}, WRITERS),
    "leads:import_start": (lambda w: f"/intake/imports/{w['job'].pk}/start/",
                           lambda w: {"col_0": "email", "col_1": "name"}, WRITERS),
    "leads:bulk": (lambda w: "/leadgen/bulk/", lambda w: {
        "action": "status", "leads": [w["lead"].pk], "status": "WON"}, WRITERS),
    "leads:route": (lambda w: "/leadgen/route/", lambda w: {"threshold": "0"}, WRITERS),
    "leads:taking": (lambda w: "/leadgen/taking/", lambda w: {"accepting": "1"}, WRITERS),
    "leads:status": (lambda w: f"/leadgen/leads/{w['lead'].pk}/status/",
                     lambda w: {"status": "QUALIFIED"}, WRITERS),
    "leads:log": (lambda w: f"/leadgen/leads/{w['lead'].pk}/log/",
                  lambda w: {"kind": "note", "note": "Called"}, WRITERS),
    "leads:owner": (lambda w: f"/leadgen/leads/{w['lead'].pk}/owner/",
                    lambda w: {"owner": w["operator"].pk}, WRITERS),
    "leads:rule_add": (lambda w: "/leadgen/rules/add/", lambda w: {
        "field": "title", "condition": "contains", "value": "CEO", "points": "5",
        "active": "on"}, WRITERS),
    "leads:rule_edit": (lambda w: f"/leadgen/rules/{w['rule'].pk}/", lambda w: {
        "field": "title", "condition": "contains", "value": "CTO", "points": "7",
        "active": "on"}, WRITERS),
    "leads:rule_delete": (lambda w: f"/leadgen/rules/{w['rule'].pk}/delete/", lambda w: {},
                          WRITERS),
    "leads:rescore": (lambda w: "/leadgen/rules/recompute/", lambda w: {}, WRITERS),
    "autonomy:policy": (lambda w: "/autonomy/policy/", lambda w: {
        "level": "suggest", "quiet_hours_start": "", "quiet_hours_end": ""}, APPROVERS),
    "autonomy:kill_switch": (lambda w: "/autonomy/kill-switch/",
                             lambda w: {"on": "1", "reason": "Stop"}, APPROVERS),
    "autonomy:suggestion_accept": (lambda w: f"/autonomy/suggestions/{w['suggestion'].pk}/accept/",
                                   lambda w: {}, APPROVERS),
    "autonomy:suggestion_dismiss": (
        lambda w: f"/autonomy/suggestions/{w['suggestion'].pk}/dismiss/", lambda w: {}, WRITERS),
    "kaizen:article_create": (lambda w: "/learn/articles/new/", lambda w: {
        "title": "New one", "body": "Text", "tags": "a"}, WRITERS),
    "kaizen:article_edit": (lambda w: f"/learn/articles/{w['article'].slug}/edit/", lambda w: {
        "title": "Matrix", "body": "Changed", "tags": "a"}, WRITERS),
    "kaizen:retrospectives_open": (lambda w: "/learn/retrospectives/open/", lambda w: {},
                                   WRITERS),
    "kaizen:retrospective_update": (
        lambda w: f"/learn/retrospectives/{w['retrospective'].pk}/notes/",
        lambda w: {"what_worked": "Reels", "what_did_not": "Threads"}, WRITERS),
    "kaizen:action_item_add": (
        lambda w: f"/learn/retrospectives/{w['retrospective'].pk}/actions/",
        lambda w: {"description": "More", "owner": w["operator"].pk, "due_date": "2026-12-24"},
        WRITERS),
    "kaizen:action_item_done": (lambda w: f"/learn/actions/{w['item'].pk}/done/",
                                lambda w: {"done": "1"}, WRITERS),
    "diagnostics:system_run": (lambda w: "/system/run/", lambda w: {}, EVERYONE_SIGNED_IN),
    "campaigns:review_policy": (
        lambda w: f"/campaigns/{w['campaign'].pk}/review-links/policy/",
        lambda w: {"client_approval_final": "on"}, APPROVERS),
    "leads:import_dry_run": (lambda w: f"/intake/imports/{w['job'].pk}/dry-run/",
                             lambda w: {"col_0": "email", "col_1": "name"}, WRITERS),
    "leads:import_undo": (lambda w: f"/intake/imports/{w['job'].pk}/undo/", lambda w: {},
                          WRITERS),
    "delivery:make": (lambda w: f"/delivery/campaign/{w['campaign'].pk}/make/bundle/",
                      lambda w: {}, WRITERS),
}
# POSTs that write nothing in this world: they compute and show (count, run the checks), refuse
# with a message (complete: posts outstanding; publish: no adapter set up), find nothing to do
# (route, rescore, open retrospectives: no completed campaign), or may already be in the state
# asked for (taking leads, the policy's level).
READ_ONLY_POSTS = {"campaigns:creative_count", "diagnostics:system_run",
                   "campaigns:execution_complete", "campaigns:execution_publish", "leads:route",
                   "leads:rescore", "leads:taking", "autonomy:policy",
                   "kaizen:retrospectives_open",
                   # A dry run writes nothing by design; undo refuses an import never run.
                   "leads:import_dry_run", "leads:import_undo"}
# Views that refuse a role with a message on the page they return to, not a 403.
REFUSE_WITH_MESSAGE = {"autonomy:suggestion_dismiss"}


def _database_state() -> dict:
    from django.apps import apps

    return {
        model._meta.label: sorted(map(repr, model.objects.values()))
        for app in ("campaigns", "leads", "autonomy", "kaizen", "delivery")
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed
    }


def _role_client(role: str, request) -> Client:
    return Client() if role == "anonymous" else request.getfixturevalue(f"{role}_client")


@pytest.mark.django_db
def test_permission_matrix_lists_every_view_that_accepts_a_post(approver_client):
    accepting = set()
    for route, name in _app_routes():
        # Public pages are fuzzed on their own; logout changes only the session (and would
        # sign this client out).
        if name in PUBLIC_ROUTES or name == "logout":
            continue
        if approver_client.post(_sample_path(route)).status_code != 405:
            accepting.add(name)
    assert accepting == set(STATE_CHANGING)


class _Undo(Exception):
    """Raised to roll one role's request back, so every role meets the same world."""


def _check_role(request, world, name: str, role: str) -> None:
    path, data, allowed = STATE_CHANGING[name]
    client = _role_client(role, request)
    before = _database_state()
    response = client.post(path(world), data(world))
    assert response.status_code < 500, role
    if role in allowed:
        assert response.status_code != 403, role
        assert not response.get("Location", "").startswith("/accounts/login/"), role
        # The data is valid: a permitted role really changes something, so the "unchanged"
        # check on a denial below is not vacuous.
        if name not in READ_ONLY_POSTS:
            assert _database_state() != before, f"{role} could not use {name}"
        return
    assert _database_state() == before, f"{role} changed data through {name}"
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif name in REFUSE_WITH_MESSAGE and role != "outsider":
        assert response.status_code == 302, role
    else:
        assert response.status_code == 403, role


@pytest.mark.django_db
@pytest.mark.embedded
@pytest.mark.parametrize("name", list(STATE_CHANGING))
def test_permission_matrix(request, world, name):
    """Each role in turn (anonymous, outsider, Viewer, Operator, Approver), each request rolled
    back afterwards so the next role meets the same world."""
    from django.db import transaction

    for role in ROLES:
        try:
            with transaction.atomic():
                _check_role(request, world, name, role)
                raise _Undo
        except _Undo:
            pass


# --- CSRF, htmx requests included -----------------------------------------------------------

CSRF_CHECKED = ["leads:add", "campaigns:approve", "campaigns:execution_skip", "leads:status",
                "kaizen:article_create", "autonomy:kill_switch", "campaigns:creative_edit",
                "diagnostics:system_run"]


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", CSRF_CHECKED)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_csrf_missing_token_is_refused_and_changes_nothing(world, approver, name, htmx):
    path, data, _ = STATE_CHANGING[name]
    headers = {"HX-Request": "true"} if htmx else {}
    before = _database_state()
    response = _csrf_client(approver).post(path(world), data(world), headers=headers)
    assert response.status_code == 403
    assert _database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["leads:add", "campaigns:approve", "leads:status"])
def test_csrf_token_in_the_htmx_header_is_accepted(world, approver, name):
    """What base.html's hx-headers sends: the cookie's token in X-CSRFToken."""
    client = _csrf_client(approver)
    client.get("/")
    token = client.cookies["csrftoken"].value
    path, data, _ = STATE_CHANGING[name]
    before = _database_state()
    response = client.post(path(world), data(world),
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code in (200, 302)
    assert _database_state() != before


@pytest.mark.django_db
def test_csrf_token_is_on_every_page_for_htmx(operator_client):
    page = operator_client.get("/leadgen/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken"' in page or '"X-CSRFToken"' in page


# --- XSS: what users type comes back escaped everywhere -------------------------------------

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def xss_world(operator, approver):
    from django.utils import timezone

    from campaigns.client_review import review_link_create
    from campaigns.models import CreativeStatus
    from campaigns.tests.factories import (
        BrandFactory,
        CampaignFactory,
        CreativeFactory,
        PlanFactory,
        PublicationFactory,
    )
    from kaizen.services import article_create, retrospective_open
    from leads.tests.factories import LeadFactory

    brand = BrandFactory(name=f"Brand {XSS}")
    campaign = CampaignFactory(brand=brand, name=f"Campaign {XSS}", objectives=XSS)
    soon = timezone.now() + timezone.timedelta(hours=2)
    pending = CreativeFactory(campaign=campaign, caption=f"Pending {XSS}", scheduled_at=soon,
                              call_to_action=XSS[:100], image_alt=XSS)
    approved = CreativeFactory(campaign=campaign, caption=f"Approved {XSS}", scheduled_at=soon,
                               status=CreativeStatus.APPROVED)
    publication = PublicationFactory(creative__campaign=campaign,
                                     creative__caption=f"Posted {XSS}")
    PlanFactory(campaign=campaign, audience=XSS, pillars=[XSS], key_messages=[XSS])
    lead = LeadFactory(name=f"Lead {XSS}", company=XSS, title=XSS, notes=XSS, source="xss")
    article = article_create(title=f"Article {XSS}", body=f"Body\n\n{XSS}\n\n[x](javascript:alert(1))",
                             tags=["xss"], author=operator)
    _, token = review_link_create(campaign=campaign, label=XSS[:100], user=approver)
    return {"brand": brand, "campaign": campaign, "pending": pending, "approved": approved,
            "publication": publication, "lead": lead, "article": article, "token": token,
            "retrospective": retrospective_open(campaign=campaign)}


def _xss_pages(w) -> list[str]:
    section_pages = [
        _sample_path(route) for route, name in _app_routes()
        if "<" not in route and name not in ("logout", "login") and not name.startswith("jobs:")
        and name not in STATE_CHANGING
    ]
    c, p, a = w["campaign"].pk, w["pending"].pk, w["approved"].pk
    return [*section_pages,
            f"/campaigns/{c}/", f"/campaigns/{c}/step/2/", f"/campaigns/{c}/step/3/",
            f"/campaigns/{c}/step/4/", f"/campaigns/queue/{p}/", f"/campaigns/?brand={w['brand'].pk}",
            f"/creatives/{p}/", f"/strategy/plans/{c}/", "/strategy/?view=week",
            f"/execution/linkedin/{a}/", f"/execution/campaign/{c}/checklist/",
            f"/monitoring/publication/{w['publication'].pk}/", f"/campaigns/{c}/review-links/",
            f"/leadgen/leads/{w['lead'].pk}/", "/leadgen/board/", "/leadgen/?q=Lead",
            f"/learn/articles/{w['article'].slug}/", f"/learn/articles/{w['article'].slug}/history/",
            f"/learn/retrospectives/{w['retrospective'].pk}/", "/learn/articles/?q=Article"]


@pytest.mark.django_db
@pytest.mark.embedded
def test_xss_payloads_come_back_escaped_on_every_page(approver_client, xss_world):
    shown_escaped = []
    for path in _xss_pages(xss_world):
        response = approver_client.get(path, follow=True)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "<script>alert" not in body, path
        assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", ""), path
        assert 'href="javascript:' not in body, path
        if ESCAPED in body:
            shown_escaped.append(path)
    # The payloads are really on the pages (escaped), not merely absent.
    for must_show in ("/campaigns/queue/", "/creatives/", "/leadgen/", "/strategy/?view=week",
                      f"/leadgen/leads/{xss_world['lead'].pk}/", "/execution/",
                      f"/campaigns/{xss_world['campaign'].pk}/"):
        assert must_show in shown_escaped, must_show


@pytest.mark.django_db
def test_xss_payloads_in_the_client_review_page_are_escaped(xss_world):
    body = Client().get(f"/review/{xss_world['token']}/").content.decode()
    assert "<script>alert" not in body
    assert ESCAPED in body


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["leads", "campaigns", "creatives", "publications", "metrics"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_xss_exports_are_never_served_as_html(approver_client, xss_world, kind, fmt):
    response = approver_client.get(f"/delivery/export/{kind}.{fmt}")
    assert response.status_code == 200
    assert not response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].startswith("attachment")


# --- no secret in any page, export or log line ----------------------------------------------

SECRETS = {
    "SECRET_KEY": "django-SECRET-KEY-7f3a9c2e1d-do-not-show",
    "DATABASE_URL password": "Pg-PASSWORD-5b8e41",
    "OPENAI_API_KEY": "sk-OPENAI-KEY-c0ffee1234",
    "backend token": "BACKEND-TOKEN-77aa",
    "credential secret": "mastodon-TOKEN-d15ea5e",
}


@pytest.fixture
def secret_site(settings, caplog):
    """Distinctive secrets everywhere they can be set, then an approver signed in (after the
    key changed, or the session would not survive it)."""
    import logging

    from campaigns.models import PublishingCredential
    from campaigns.tests.factories import BrandFactory, CampaignFactory, CreativeFactory

    caplog.set_level(logging.DEBUG)
    settings.SECRET_KEY = SECRETS["SECRET_KEY"]
    settings.DATABASE_URL = (
        f"postgres://aicmo:{SECRETS['DATABASE_URL password']}@db.internal:5432/aicmo"
    )
    settings.OPENAI_API_KEY = SECRETS["OPENAI_API_KEY"]
    settings.GENERATION_ENGINE = "openai"
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens: generation fails
    # Nothing listens there either: the backend's failure message names the address.
    settings.AICMO_BACKEND_URL = f"http://aicmo:{SECRETS['backend token']}@127.0.0.1:9/"
    settings.PUBLISHING_MAX_ATTEMPTS = 1
    brand = BrandFactory()
    campaign = CampaignFactory(brand=brand, platforms=["mastodon"])
    creative = CreativeFactory(campaign=campaign, platform="mastodon", status="approved")
    PublishingCredential.objects.create(
        brand=brand, platform="mastodon", adapter="mastodon",
        config={"api_base": "http://127.0.0.1:9"}, secret=SECRETS["credential secret"],
    )
    user = User.objects.create_user("sam", password="pw")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="Approver"))
    client = Client()
    client.force_login(user)
    return client, campaign, creative, brand


def _log_lines(caplog) -> list[str]:
    """Each captured record as the configured console handler writes it: its filters from
    settings.LOGGING (request id, secret masking) applied, then its text format."""
    import logging

    from django.conf import settings
    from django.utils.module_loading import import_string

    config = settings.LOGGING
    filters = []
    for name in config["handlers"]["console"]["filters"]:
        spec = dict(config["filters"][name])
        filters.append(import_string(spec.pop("()"))(**spec))
    formatter = logging.Formatter(config["formatters"]["text"]["format"])
    lines = []
    for record in caplog.records:
        for log_filter in filters:
            log_filter.filter(record)
        lines.append(formatter.format(record))
    return lines


def _leaks(text: str) -> list[str]:
    return [name for name, value in SECRETS.items() if value in text]


@pytest.mark.django_db
def test_no_secret_appears_in_any_page_export_or_log_line(secret_site, caplog, settings):
    client, campaign, creative, brand = secret_site
    responses = {}
    # Actions that touch every secret: a failing generation (OpenAI key), a failing live post
    # (the adapter's token), saving a credential, a failed sign-in, running the checks.
    responses["generate"] = client.post(f"/campaigns/{campaign.pk}/step/2/")
    settings.GENERATION_ENGINE = "http"
    responses["generate via the backend"] = client.post(f"/campaigns/{campaign.pk}/step/2/")
    responses["publish"] = client.post(f"/execution/mastodon/{creative.pk}/publish/",
                                       follow=True)
    responses["credential"] = client.post("/execution/adapters/save/", {
        "brand": brand.pk, "platform": "linkedin", "adapter": "webhook",
        "config": '{"url": "https://hooks.example/x"}', "secret": "whsec-NEW-SECRET-0042",
        "enabled": "on"}, follow=True)
    responses["run checks"] = client.post("/system/run/", follow=True)
    Client().post("/accounts/login/", {"username": "sam", "password": SECRETS["SECRET_KEY"]})
    pages = [_sample_path(route) for route, name in _app_routes()
             if "<" not in route and name not in STATE_CHANGING and name != "logout"]
    pages += [f"/campaigns/{campaign.pk}/", f"/execution/mastodon/{creative.pk}/",
              "/execution/adapters/", "/readyz", "/healthz"]
    pages += [f"/delivery/export/{kind}.{fmt}" for kind in
              ("leads", "campaigns", "creatives", "publications", "metrics")
              for fmt in ("csv", "json")]
    for path in pages:
        responses[path] = client.get(path)
    # The secrets' neighbours are on the pages, so the scan looks where a leak would be.
    assert "db.internal" in responses["/system/"].content.decode()
    assert "cannot be reached" in responses["generate"].content.decode()
    assert "Not posted" in responses["publish"].content.decode()
    leaked = {}
    for label, response in responses.items():
        assert response.status_code < 500, label
        body = b"".join(response) if response.streaming else response.content
        text = body.decode(errors="replace") + str(response.headers)
        if _leaks(text) or "whsec-NEW-SECRET-0042" in text:
            leaked[label] = _leaks(text)
    assert not leaked, leaked
    lines = _log_lines(caplog)
    assert lines  # the actions above did log
    assert not [line for line in lines if _leaks(line) or "whsec-NEW-SECRET-0042" in line]


# --- sign-in brake ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_sign_ins_from_one_address_lock_every_username(settings):
    """Password spraying: one address trying many usernames is braked as well."""
    settings.LOGIN_FAILURE_LIMIT = 3
    User.objects.create_user("target", password="right-password")
    client = Client()
    for name in ("ann", "bob", "cy"):
        client.post("/accounts/login/", {"username": name, "password": "guess"})
    response = client.post("/accounts/login/", {"username": "target",
                                                 "password": "right-password"})
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_lockout_ends_after_the_lockout_time(settings):
    from django.core.cache import cache

    settings.LOGIN_FAILURE_LIMIT = 2
    User.objects.create_user("dora", password="right-password")
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "dora", "password": "wrong"})
    cache.clear()  # what the lockout's expiry does
    response = client.post("/accounts/login/", {"username": "dora", "password": "right-password"})
    assert response.status_code == 302
