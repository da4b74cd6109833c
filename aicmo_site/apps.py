from __future__ import annotations

import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate

logger = logging.getLogger("aicmo")


class AicmoSiteConfig(AppConfig):
    name = "aicmo_site"
    verbose_name = "AICMO"

    def ready(self) -> None:
        from aicmo_site.roles import sync_roles_after_migrate

        # Roles gain the permissions of models that later migrations add.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
        logger.info("DASHBOARD_BUILD=%s", settings.DASHBOARD_BUILD)
