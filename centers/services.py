"""Every write to the center tree's content: one function each, atomic, audited."""

from django.db import transaction

from centers import scoping
from centers.images import ProcessedImage
from centers.messaging import deliver
from centers.models import AuditEntry, Center, Notification, User


def audit(*, actor, center, action, obj, summary):
    """Write one audit entry (who did what to which object)."""
    return AuditEntry.objects.create(
        actor=actor,
        center=center,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk or ""),
        summary=summary[:255],
    )


def notify(*, user, title, body="", url=""):
    """Record a notification for a user and send it by email/SMS once the transaction commits."""
    notification = Notification.objects.create(user=user, title=title, body=body, url=url)
    transaction.on_commit(lambda: deliver(user, title, body))
    return notification


@transaction.atomic
def center_update(*, actor, center: Center, data: dict) -> Center:
    """Update a center's page fields. Needs `change` at the center; raises ValidationError."""
    scoping.require(actor, "change", center)
    center = Center.objects.select_for_update().get(pk=center.pk)
    changed = [name for name, value in data.items() if getattr(center, name) != value]
    for name in changed:
        setattr(center, name, data[name])
    if not changed:
        return center
    center.full_clean()
    center.save(update_fields=[*changed, "updated_at"])
    labels = "、".join(str(Center._meta.get_field(name).verbose_name) for name in changed)
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.UPDATE,
        obj=center,
        summary=f"修改中心信息：{labels}",
    )
    return center


def _apply(item, data, image_field):
    for name, value in data.items():
        if name == image_field:
            if isinstance(value, ProcessedImage):
                # A ModelForm bound to `item` has already set the field to this object itself.
                setattr(item, name, None)
                getattr(item, name).save(value.image.name, value.image, save=False)
                item.thumbnail.save(value.thumbnail.name, value.thumbnail, save=False)
            elif value is False:
                setattr(item, name, "")
                item.thumbnail = ""
            continue
        setattr(item, name, value)


@transaction.atomic
def content_create(*, actor, center: Center, model, data: dict, image_field=None):
    """Add a room, exhibition, service, team or photo to a center. Needs `change` there."""
    scoping.require(actor, "change", center)
    item = model(center=center)
    if model._meta.model_name == "photo":
        item.uploaded_by = actor
    _apply(item, data, image_field)
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.CREATE,
        obj=item,
        summary=f"新增{model._meta.verbose_name}：{item}",
    )
    return item


@transaction.atomic
def content_update(*, actor, item, data: dict, image_field=None):
    """Change a piece of a center's page content. Needs `change` at its center."""
    scoping.require(actor, "change", item.center)
    _apply(item, data, image_field)
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        center=item.center,
        action=AuditEntry.Action.UPDATE,
        obj=item,
        summary=f"修改{item._meta.verbose_name}：{item}",
    )
    return item


@transaction.atomic
def content_delete(*, actor, item) -> None:
    """Remove a piece of a center's page content (and its files). Needs `change` at its center."""
    scoping.require(actor, "change", item.center)
    audit(
        actor=actor,
        center=item.center,
        action=AuditEntry.Action.DELETE,
        obj=item,
        summary=f"删除{item._meta.verbose_name}：{item}",
    )
    files = [f for f in (getattr(item, n, None) for n in ("photo", "image", "thumbnail")) if f]
    item.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


@transaction.atomic
def resident_register(*, phone, name, password) -> User:
    """Create a resident account (no staff role). Raises ValidationError for a taken phone."""
    user = User(phone=phone, name=name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def notifications_mark_read(*, user) -> int:
    """Mark all of the user's notifications as read."""
    from django.utils import timezone

    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
