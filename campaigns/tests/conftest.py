from __future__ import annotations

import pytest

from campaigns.tests.fake_engine import FakeEngineServer
from campaigns.tests.fake_platform import FakePlatform, fast_publishing


@pytest.fixture
def backend(settings):
    """The AICMO backend, faked by a real local HTTP server; GENERATION_ENGINE=http."""
    with FakeEngineServer("http") as server:
        settings.GENERATION_ENGINE = "http"
        settings.AICMO_BACKEND_URL = server.url
        settings.AICMO_BACKEND_TIMEOUT = 2.0
        yield server


@pytest.fixture
def openai_endpoint(settings):
    """An OpenAI-compatible endpoint, faked by a real local HTTP server; GENERATION_ENGINE=openai."""
    with FakeEngineServer("openai") as server:
        settings.GENERATION_ENGINE = "openai"
        settings.OPENAI_BASE_URL = server.url + "/v1"
        settings.OPENAI_MODEL = "test-model"
        settings.OPENAI_API_KEY = "sk-test"
        settings.OPENAI_TIMEOUT = 2.0
        yield server


@pytest.fixture
def fake(settings, tmp_path):
    """A real local server playing the webhook receiver, Mastodon and Bluesky; fast retries."""
    fast_publishing(settings)
    settings.MEDIA_ROOT = tmp_path
    with FakePlatform(slow_seconds=0.6) as server:
        yield server
