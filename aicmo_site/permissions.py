"""The signed-in user and their permissions answered from the cache instead of three queries on
every request.

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

CachedUserMiddleware, Django's AuthenticationMiddleware with one shortcut, keeps the session's
user in the cache under the same stamp (any change to a user row bumps it: a new password, a
name, staff or active flags) and still checks the session's hash against the user's password
on every request, as Django does. Whatever does not match exactly goes Django's own way
(`django.contrib.auth.get_user`), which also signs out sessions that are no longer valid.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

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


class CachedUserMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: session_user(request))


def session_user(request):
    """The user of the request's session; Django's auth.get_user() unless the cache knows them."""
    if not hasattr(request, "_cached_user"):
        request._cached_user = _cached_session_user(request) or _load_session_user(request)
    return request._cached_user


def _user_key(user_id) -> str:
    return f"session-user:{user_id}:{data_stamp(AUTH)}"


def _cached_session_user(request):
    session = request.session
    try:
        user_id, backend, session_hash = (
            session[SESSION_KEY], session[BACKEND_SESSION_KEY], session[HASH_SESSION_KEY]
        )
    except KeyError:
        return None
    if backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = cache.get(_user_key(user_id))
    if user is None or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


def _load_session_user(request):
    user = auth.get_user(request)
    if user.is_authenticated:
        remember_session_user(user)
    return user


def remember_session_user(user) -> None:
    """Caches the user as loaded, before any per-request attribute (permissions) is set on it."""
    cache.set(_user_key(user.pk), user, PERMISSION_CACHE_SECONDS)
