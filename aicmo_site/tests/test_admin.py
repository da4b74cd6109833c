"""Django admin: titled for AICMO, and every model of ours registered."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

from aicmo_site.roles import PROJECT_APPS


def test_every_project_model_is_registered_in_admin():
    missing = [
        model._meta.label
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed and model not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.django_db
def test_admin_is_titled_for_aicmo(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "AICMO administration" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [m for app in PROJECT_APPS for m in apps.get_app_config(app).get_models()
              if m._meta.managed],
    ids=lambda m: m._meta.label,
)
def test_every_changelist_opens_with_search(admin_client, model):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/?q=x"
    assert admin_client.get(url).status_code == 200
