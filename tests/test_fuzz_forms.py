"""Hypothesis throws arbitrary input at the forms: no answer is a 500, nothing is half-written."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.client_review import review_link_create
from campaigns.tests.factories import CampaignFactory, CreativeFactory

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


def _post_fuzzed(client: Client, url: str, data: dict) -> int:
    before = _counts()
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)
    if response.status_code >= 400:
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
