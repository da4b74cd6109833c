"""Hypothesis throws arbitrary input at the forms: no answer is a 500, nothing is half-written."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from leads.importing import ImportFileError
from leads.models import ImportJob, Lead
from leads.services import import_job_create, import_job_start
from leads.tests.factories import LeadFactory, ScoringRuleFactory

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text that breaks naive code: control characters, surrogates aside, huge strings, markup.
nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "<script>x</script>",
                     "' OR 1=1 --", "\x00", "😀" * 400, "a" * 5000, "2026-02-30", "25:99"]),
)


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("campaigns", "leads", "autonomy", "kaizen", "delivery")
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed
    }


def _refused_by_a_form(response) -> bool:
    """A bound form in the page's context that has errors: the input was refused."""
    context = response.context
    if context is None:
        return False
    if hasattr(context, "keys"):  # a ContextList: one per template rendered
        values = [context[key] for key in context.keys()]  # noqa: SIM118
    else:
        values = list(context.flatten().values())
    return any(isinstance(value, BaseForm) and value.is_bound and value.errors
               for value in values)


def _post_fuzzed(client: Client, url: str, data: dict, **extra) -> int:
    before = _counts()
    response = client.post(url, data, **extra)
    assert response.status_code < 500, (url, data)
    if response.status_code >= 400 or _refused_by_a_form(response):
        assert _counts() == before, f"{url} wrote rows while refusing the input"
    return response.status_code


@pytest.mark.django_db
@FUZZ
@given(level=nasty_text, start=nasty_text, end=nasty_text, limit=nasty_text, brand=nasty_text)
def test_autonomy_policy_form_survives_any_input(approver_client, level, start, end, limit, brand):
    _post_fuzzed(approver_client, "/autonomy/policy/", {
        "level": level, "quiet_hours_start": start, "quiet_hours_end": end,
        "limit_approve_creative": limit, "brand": brand,
    })


@pytest.mark.django_db
@FUZZ
@given(on=nasty_text, reason=nasty_text)
def test_kill_switch_survives_any_input(approver_client, on, reason):
    _post_fuzzed(approver_client, "/autonomy/kill-switch/", {"on": on, "reason": reason})


@pytest.mark.django_db
@FUZZ
@given(username=nasty_text, password=nasty_text)
def test_login_survives_any_input(username, password):
    _post_fuzzed(Client(), "/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
@FUZZ
@given(decision=nasty_text, reason=nasty_text, version=nasty_text, creative=nasty_text)
def test_client_review_survives_any_input(approver, decision, reason, version, creative):
    campaign = CampaignFactory()
    real = CreativeFactory(campaign=campaign)
    _, token = review_link_create(campaign=campaign, label="Fuzz", user=approver)
    for target in (creative, str(real.pk)):
        _post_fuzzed(Client(), f"/review/{token}/", {
            "decision": decision, "reason": reason, "version": version, "creative": target,
        })


@pytest.mark.django_db
@FUZZ
@given(label=nasty_text, days=nasty_text)
def test_review_link_form_survives_any_input(approver_client, label, days):
    campaign = CampaignFactory()
    _post_fuzzed(approver_client, f"/campaigns/{campaign.pk}/review-links/new/",
                 {"label": label, "days": days})


# --- every other form of the site, from one table -------------------------------------------

TABLE_FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SOON = (date.today() + timedelta(days=3)).isoformat()
LATER = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def world(operator, approver):
    """One of everything a form can point at."""
    brand = BrandFactory(slug="fuzz-brand")
    campaign = CampaignFactory(brand=brand, platforms=["linkedin", "mastodon"])
    pending = CreativeFactory(campaign=campaign, author=operator)
    rejected = CreativeFactory(campaign=campaign, author=operator)
    creative_decide(creative=rejected, reviewer=approver, approve=False, reason="No")
    approved = CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED)
    publication = PublicationFactory(creative__campaign=campaign)
    retrospective = retrospective_open(campaign=campaign)
    job = import_job_create(
        upload=SimpleUploadedFile("leads.csv", b"email,name\na@example.com,Ann\n"),
        actor=operator,
    )
    return {
        "brand": brand, "campaign": campaign, "pending": pending, "rejected": rejected,
        "approved": approved, "publication": publication, "plan": PlanFactory(campaign=campaign),
        "lead": LeadFactory(), "rule": ScoringRuleFactory(), "job": job,
        "article": article_create(title="Fuzz article", body="Body", tags=["a"],
                                  author=operator),
        "retrospective": retrospective,
        "item": action_item_add(retrospective=retrospective, description="Do it",
                                owner=operator, due_date=date.today()),
        "operator": operator,
    }


def _ids(w):
    return [str(w["brand"].pk), str(w["campaign"].pk), str(w["lead"].pk), str(w["operator"].pk)]


# Where a plain form returns to: only our own paths; a bare word must not be taken for a URL name.
NEXT = ["/learn/", "https://evil.example/", "//evil.example/", "0", "logout", "leads:leadgen"]
CREATIVE_FIELDS = ["caption", "hashtags", "link", "call_to_action", "scheduled_at", "image_alt"]
LEAD_FIELDS = ["email", "name", "phone", "company", "company_size", "title", "website", "source",
               "status", "notes"]
FIGURES = ["captured_at", "impressions", "reach", "likes", "comments", "shares", "saves",
           "clicks", "video_views"]
# name: (url from the world, field names, plausible values that get past the first checks)
FORMS = {
    "campaign create": (lambda w: "/campaigns/new/",
                        ["brand", "name", "objectives", "platforms", "cadence", "start_date",
                         "end_date"],
                        {"platforms": ["linkedin", "x"], "cadence": ["3", "0", "-4"],
                         "start_date": [SOON], "end_date": [LATER, SOON]}),
    "posting mode": (lambda w: f"/campaigns/{w['campaign'].pk}/step/4/", ["posting_mode"],
                     {"posting_mode": ["proof", "manual", "live"]}),
    "queue approve": (lambda w: f"/campaigns/queue/{w['pending'].pk}/approve/", ["version", "next"],
                      {"version": ["1", "2", "0"], "next": NEXT}),
    "queue reject": (lambda w: f"/campaigns/queue/{w['pending'].pk}/reject/",
                     ["version", "reason"], {"version": ["1"]}),
    "queue revise": (lambda w: f"/campaigns/queue/{w['rejected'].pk}/revise/", CREATIVE_FIELDS,
                     {"scheduled_at": ["2026-12-01T09:00"], "link": ["https://a.example"]}),
    "queue bulk": (lambda w: "/campaigns/queue/approve/", ["creative", "next"],
                   {"next": NEXT, "creative": ["1:1", "x:y", ":", "99999999999999999999:1"]}),
    "plan edit": (lambda w: f"/strategy/plans/{w['campaign'].pk}/edit/",
                  ["pillars", "audience", "key_messages", "rationale"], {}),
    "creative edit": (lambda w: f"/creatives/{w['pending'].pk}/edit/",
                      [*CREATIVE_FIELDS, "action"],
                      {"action": ["check", "save"], "scheduled_at": ["2026-12-01T09:00"]}),
    "creative count": (lambda w: f"/creatives/{w['pending'].pk}/count/",
                       ["caption", "hashtags", "link"], {}),
    "creative adapt": (lambda w: f"/creatives/{w['pending'].pk}/adapt/", ["platform"],
                       {"platform": ["mastodon", "x", "linkedin"]}),
    "credentials": (lambda w: "/execution/adapters/save/",
                    ["brand", "platform", "adapter", "config", "secret", "enabled"],
                    {"platform": ["mastodon"], "adapter": ["mastodon", "webhook", "bluesky"],
                     "config": ['{"api_base": "https://m.example"}', "[]", "{", "null"]}),
    "mark posted": (lambda w: f"/execution/linkedin/{w['approved'].pk}/posted/",
                    ["url", "session"],
                    {"url": ["https://www.linkedin.com/feed/update/urn:li:activity:1/"]}),
    "skip": (lambda w: f"/execution/linkedin/{w['approved'].pk}/skip/", ["reason", "session"],
             {}),
    "figures": (lambda w: f"/monitoring/publication/{w['publication'].pk}/figures/", FIGURES,
                {"impressions": ["10", "-1", "1" * 30], "captured_at": ["2026-01-01T10:00"]}),
    "lead add": (lambda w: "/intake/add/", LEAD_FIELDS,
                 {"email": ["new@example.com", "NEW@EXAMPLE.COM"],
                  "status": ["NEW", "ENGAGED", "won"]}),
    "import mapping": (lambda w: f"/intake/imports/{w['job'].pk}/start/",
                       ["col_0", "col_1", "col_7"], {"col_0": ["email"], "col_1": ["name"]}),
    "public form": (lambda w: "/intake/form/fuzz-brand/",
                    ["name", "email", "company", "title", "phone", "message", "consent",
                     "fax_number", "utm_source", "utm_campaign", "utm_content"],
                    {"email": ["p@example.com"], "consent": ["on"], "fax_number": [""]}),
    "bulk leads": (lambda w: "/leadgen/bulk/", ["action", "leads", "status", "owner", "next"],
                   {"action": ["status", "owner", "delete", "export"], "next": NEXT,
                    "leads": lambda w: [_ids(w)[2], "0", "-1"], "status": ["WON"],
                    "owner": lambda w: [_ids(w)[3], "none"]}),
    "routing": (lambda w: "/leadgen/route/", ["threshold"], {"threshold": ["0", "30"]}),
    "taking leads": (lambda w: "/leadgen/taking/", ["accepting"], {"accepting": ["1", "0"]}),
    "lead status": (lambda w: f"/leadgen/leads/{w['lead'].pk}/status/", ["status", "note", "from"],
                    {"status": ["QUALIFIED", "RESPONDED"], "from": ["board"]}),
    "lead note": (lambda w: f"/leadgen/leads/{w['lead'].pk}/log/", ["kind", "note"],
                  {"kind": ["note", "call", "email"]}),
    "lead owner": (lambda w: f"/leadgen/leads/{w['lead'].pk}/owner/", ["owner"],
                   {"owner": lambda w: [_ids(w)[3]]}),
    "rule add": (lambda w: "/leadgen/rules/add/",
                 ["field", "condition", "value", "points", "active"],
                 {"field": ["title", "company_size"], "condition": ["contains", "gte"],
                  "points": ["10", "-5"]}),
    "rule edit": (lambda w: f"/leadgen/rules/{w['rule'].pk}/",
                  ["field", "condition", "value", "points", "active"],
                  {"field": ["title"], "condition": ["contains"]}),
    "article create": (lambda w: "/learn/articles/new/", ["title", "body", "tags", "brand"],
                       {"brand": lambda w: [_ids(w)[0]]}),
    "article edit": (lambda w: f"/learn/articles/{w['article'].slug}/edit/",
                     ["title", "body", "tags", "brand"], {}),
    "retrospective notes": (lambda w: f"/learn/retrospectives/{w['retrospective'].pk}/notes/",
                            ["what_worked", "what_did_not"], {}),
    "action item": (lambda w: f"/learn/retrospectives/{w['retrospective'].pk}/actions/",
                    ["description", "owner", "due_date"],
                    {"owner": lambda w: [_ids(w)[3]], "due_date": [SOON]}),
    "action done": (lambda w: f"/learn/actions/{w['item'].pk}/done/",
                    ["done", "next", "show_campaign"],
                    {"done": ["0", "1"],
                     "next": NEXT}),
    "system run again": (lambda w: "/system/run/", ["anything"], {}),
}


@st.composite
def _form_data(draw, fields, plausible, world):
    data = {}
    for name in fields:
        choices = plausible.get(name)
        if callable(choices):
            choices = choices(world)
        options = [nasty_text, st.none()]
        if choices:
            options.append(st.sampled_from(choices))
        value = draw(st.one_of(*options))
        if value is not None:
            data[name] = value
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_form_survives_any_input(approver_client, world, name, htmx):
    url, fields, plausible = FORMS[name]
    if name == "public form":
        approver_client = Client()

    @TABLE_FUZZ
    @given(data=st.data())
    def run(data):
        values = data.draw(_form_data(fields, plausible, world))
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        _post_fuzzed(approver_client, url(world), values, **extra)

    run()


# --- the CSV importers ----------------------------------------------------------------------

csv_cell = st.one_of(st.text(max_size=40), st.sampled_from(
    ["a@example.com", "A@EXAMPLE.COM", "", "not an email", "=cmd|' /C calc'!A0", '"', "\r\n",
     "ENGAGED", "-1", "1e309", "https://www.linkedin.com/feed/update/urn:li:activity:1/"]))
csv_header = st.lists(st.sampled_from(
    ["email", "Email", "name", "company", "status", "phone", "company_size", "url", "impressions",
     "likes", "captured_at", "", "email", "junk"]), min_size=0, max_size=6)


@st.composite
def csv_bytes(draw):
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    header = draw(csv_header)
    rows = draw(st.lists(st.lists(csv_cell, max_size=7), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    text = "\n".join(delimiter.join(row) for row in [header, *rows])
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), errors="replace")


@pytest.mark.embedded
@pytest.mark.django_db
@FUZZ
@given(raw=csv_bytes())
def test_lead_import_service_survives_any_file(operator, raw):
    before = _counts()
    try:
        job = import_job_create(upload=io.BytesIO(raw), actor=operator)
    except ImportFileError:
        assert _counts() == before
        return
    leads_before = Lead.objects.count()
    try:
        job = import_job_start(job=job, mapping=job.mapping)
    except (ImportFileError, ValidationError):  # a refused mapping: nothing written
        assert Lead.objects.count() == leads_before
        return
    job.refresh_from_db()
    assert job.status in ("done", "failed", "preview", "queued", "running"), job.status
    if job.status == "failed":
        assert Lead.objects.count() == leads_before


@pytest.mark.django_db
@FUZZ
@given(raw=csv_bytes(), name=st.sampled_from(["leads.csv", "x.txt", "", "../../etc/passwd"]))
def test_lead_import_upload_survives_any_file(operator_client, raw, name):
    before = ImportJob.objects.count()
    response = operator_client.post("/intake/imports/upload/",
                                    {"file": SimpleUploadedFile(name or "f", raw)})
    assert response.status_code < 500
    if response.status_code != 302:
        assert ImportJob.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(raw=csv_bytes())
def test_metrics_import_survives_any_file(operator_client, raw):
    PublicationFactory(url="https://www.linkedin.com/feed/update/urn:li:activity:1/") \
        if not _counts()["campaigns.Publication"] else None
    _post_fuzzed(operator_client, "/monitoring/import/",
                 {"file": SimpleUploadedFile("metrics.csv", raw)})
