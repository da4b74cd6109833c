"""Diagnostics stores nothing; this model only carries the System page's permission."""

from __future__ import annotations

from django.db import models


class SystemAccess(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_system", "Can view the System / Diagnostics page")]

    def __str__(self) -> str:
        return "System access"
