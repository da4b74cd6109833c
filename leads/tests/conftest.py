from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded import files land in a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
