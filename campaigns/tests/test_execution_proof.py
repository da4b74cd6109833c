"""Proof mode: SIMULATED labels wherever the publication appears, deterministic metrics."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import MetricSnapshot, Publication
from campaigns.publishing.services import PublishingConflict, publication_simulate
from campaigns.publishing.simulation import simulated_figures
from campaigns.tests.factories import CampaignFactory
from campaigns.tests.fake_platform import approved_creative

pytestmark = pytest.mark.django_db


def simulate_url(creative):
    return reverse("campaigns:execution_simulate", args=[creative.platform, creative.pk])


def test_simulate_records_a_simulated_publication(operator_client, operator):
    creative = approved_creative()
    response = operator_client.post(simulate_url(creative))
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.simulated is True
    assert publication.mode == "proof"
    assert publication.url == ""
    assert publication.published_by == operator


def test_simulate_labels_the_post_page_simulated(operator_client):
    creative = approved_creative()
    operator_client.post(simulate_url(creative))
    page = operator_client.get(
        reverse("campaigns:execution_post", args=[creative.platform, creative.pk])).content.decode()
    assert "SIMULATED" in page
    assert "Nothing was posted" in page


def test_simulate_labels_the_checklist_simulated(viewer_client):
    campaign = CampaignFactory()
    publication_simulate(creative=approved_creative(campaign=campaign), user=None)
    page = viewer_client.get(
        reverse("campaigns:execution_checklist", args=[campaign.pk])).content.decode()
    assert "SIMULATED" in page


def test_simulate_htmx_swaps_the_panel_with_the_label(operator_client):
    creative = approved_creative()
    response = operator_client.post(simulate_url(creative), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "SIMULATED" in body and "<html" not in body


def test_simulate_forbids_viewers(viewer_client):
    assert viewer_client.post(simulate_url(approved_creative())).status_code == 403


def test_simulated_publication_str_says_simulated():
    publication = publication_simulate(creative=approved_creative(), user=None)
    assert "SIMULATED" in str(publication)


def test_simulated_metrics_are_labelled_and_grow_over_time():
    publication = publication_simulate(creative=approved_creative(), user=None)
    snapshots = list(publication.snapshots.order_by("captured_at"))
    assert len(snapshots) == 4
    assert {s.source for s in snapshots} == {"simulated"}
    impressions = [s.impressions for s in snapshots]
    assert impressions == sorted(impressions) and impressions[0] < impressions[-1]
    assert all(s.captured_at > publication.published_at for s in snapshots)


def test_simulated_metrics_are_the_same_for_the_same_creative():
    creative = approved_creative()
    first = publication_simulate(creative=creative, user=None)
    figures = list(MetricSnapshot.objects.order_by("captured_at").values_list("impressions", "likes"))
    first.delete()
    publication_simulate(creative=creative, user=None)
    again = list(MetricSnapshot.objects.order_by("captured_at").values_list("impressions", "likes"))
    assert again == figures


def test_simulated_metrics_differ_between_creatives():
    one, two = approved_creative(), approved_creative()
    assert simulated_figures(one) != simulated_figures(two)


def test_simulate_twice_is_refused_and_keeps_one_set_of_metrics():
    creative = approved_creative()
    publication_simulate(creative=creative, user=None)
    with pytest.raises(PublishingConflict):
        publication_simulate(creative=creative, user=None)
    assert MetricSnapshot.objects.count() == 4


def test_seed_execution_rehearses_one_post_once():
    from campaigns.publishing.demo import seed_execution

    approved_creative()
    approved_creative()
    seed_execution(lambda message: None)
    seed_execution(lambda message: None)
    assert list(Publication.objects.values_list("simulated", flat=True)) == [True]
