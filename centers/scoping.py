"""The one place that answers "may this user do X at this center".

A role at a center covers the center's whole subtree: a center is in scope when one of the
user's roles sits on it or on one of its ancestors, that is, when the role's center path is a
prefix of the center's path. Querysets get this as an `Exists` subquery, never a Python list.

Missing and out of scope look the same (404); in scope with too weak a role is 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.http import Http404

from centers.models import Center, StaffRole

Role = StaffRole.Role

#: The roles that grant each permission.
PERMISSIONS = {
    "view": {Role.MANAGER, Role.EDITOR, Role.VIEWER},
    "change": {Role.MANAGER, Role.EDITOR},
    "manage": {Role.MANAGER},
}


def _roles_for(perm):
    try:
        return PERMISSIONS[perm]
    except KeyError:
        raise ValueError(f"Unknown permission {perm!r}") from None


def _everything(user):
    return user.is_active and user.is_superuser


def centers_q(user, perm="view", *, path_ref="path"):
    """A Q selecting the centers (or rows joined to them by `path_ref`) in the user's scope."""
    roles = _roles_for(perm)
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if _everything(user):
        return Q()
    covering = StaffRole.objects.filter(
        user=user.pk,
        role__in=roles,
        center__path=Substr(OuterRef(path_ref), 1, Length("center__path")),
    )
    return Q(Exists(covering))


def center_field_q(user, perm="view", *, field="center"):
    """A Q for rows whose `field` points at a center in the user's scope."""
    return centers_q(user, perm, path_ref=f"{field}__path")


def user_roles(user):
    """The user's roles as (center path, role) pairs, loaded once per user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_dangqun_roles", None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user.pk).values_list("center__path", "role"))
        user._dangqun_roles = cached
    return cached


def has_perm(user, perm, center):
    """True when the user holds `perm` at `center` (a role on it or an ancestor)."""
    roles = _roles_for(perm)
    if not user.is_authenticated or not user.is_active:
        return False
    if _everything(user):
        return True
    return any(center.path.startswith(path) and role in roles for path, role in user_roles(user))


def require(user, perm, center):
    """Raise PermissionDenied unless the user holds `perm` at `center` (services check again)."""
    if not has_perm(user, perm, center):
        raise PermissionDenied


def is_staff_member(user):
    """True for anybody who may open the staff console."""
    return (
        user.is_authenticated and user.is_active and (_everything(user) or bool(user_roles(user)))
    )


def home_centers(user):
    """The highest centers the user has a role at: where their console starts."""
    if _everything(user):
        return list(Center.objects.get_root_nodes())
    paths = sorted({path for path, _role in user_roles(user)})
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Center.objects.filter(path__in=tops).order_by("path"))


def get_center_for_user(user, slug, perm="view"):
    """The center with `slug` if the user may see it (else 404) and holds `perm` (else 403)."""
    try:
        center = Center.objects.for_user(user, "view").get(slug=slug)
    except Center.DoesNotExist:
        raise Http404 from None
    if not has_perm(user, perm, center):
        raise PermissionDenied
    return center


def get_object_for_user(queryset, user, perm="view", **lookup):
    """A center-owned object if in the user's scope (else 404) with `perm` (else 403)."""
    try:
        obj = queryset.for_user(user, "view").select_related("center").get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if not has_perm(user, perm, obj.center):
        raise PermissionDenied
    return obj
