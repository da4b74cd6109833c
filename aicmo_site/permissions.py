"""Permission checks answered from the cache instead of two queries on every request.

Every page asks `has_perm` (the navigation alone, once per section), and Django's ModelBackend
loads a user's permissions afresh for each request: two queries and about 1.5 ms of Python for
an Operator's hundred permissions. This backend keeps them in the cache under the "auth" data
stamp (campaigns.stamps), which database triggers bump on every change to group memberships,
user or group permissions, or a user's active and superuser flags, so a permission taken away
stops working with the next request, whichever process made the change.

It signs no one in (ModelBackend, listed after it, checks passwords, once), and loads users as
ModelBackend does, so sessions naming either backend stay valid (a test client's force_login
names the first). It only fills the per-request attributes ModelBackend reads its permissions
from, which both backends then share.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from campaigns.stamps import AUTH, data_stamp

# Entries of an earlier stamp are never read again; they only wait to expire.
PERMISSION_CACHE_SECONDS = 600


class CachedPermissionsBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if obj is None and user_obj.is_active and not user_obj.is_anonymous:
            load_permissions(user_obj)
        return super().get_all_permissions(user_obj, obj)


def load_permissions(user) -> None:
    """Sets the attributes ModelBackend caches a user's permissions in for one request."""
    if hasattr(user, "_perm_cache"):
        return
    backend = ModelBackend()
    cached = cache.get_or_set(
        f"permissions:{user.pk}:{data_stamp(AUTH)}",
        lambda: (backend.get_user_permissions(user), backend.get_group_permissions(user)),
        PERMISSION_CACHE_SECONDS,
    )
    user._user_perm_cache, user._group_perm_cache = cached
    user._perm_cache = {*cached[0], *cached[1]}
