"""factory_boy factories that build consistent center hierarchies."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from centers.models import Center, Exhibition, Photo, Room, Service, StaffRole, Team

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


class CenterFactory(factory.django.DjangoModelFactory):
    """A center; pass `parent=` to hang it under another (treebeard keeps the paths)."""

    class Meta:
        model = Center

    name = factory.Sequence(lambda n: f"测试中心{n}党群服务中心")
    short_name = factory.Sequence(lambda n: f"测试中心{n}")
    slug = factory.Sequence(lambda n: f"center-{n}")
    level = Center.Level.COMMUNITY
    address = "测试路1号"
    opening_hours = "周一至周五 8:30–17:30"

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        return model_class.objects.add_child(parent, kwargs)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"活动室{n}")
    kind = Room.Kind.MEETING
    capacity = 30


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    kind = Team.Kind.VOLUNTEER


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"服务{n}")


class ExhibitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exhibition

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"展馆{n}")
    halls = "党史展厅：图片与实物\n民俗展厅"


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    center = factory.SubFactory(CenterFactory)
    caption = factory.Sequence(lambda n: f"照片{n}")
    image = factory.django.ImageField(width=64, height=48, format="JPEG")
    thumbnail = factory.django.ImageField(width=32, height=24, format="JPEG")


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    center = factory.SubFactory(CenterFactory)
    role = StaffRole.Role.EDITOR


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity with its occurrences created through the service (as staff would)."""

    class Meta:
        model = "activities.Activity"

    center = factory.SubFactory(CenterFactory)
    title = factory.Sequence(lambda n: f"活动{n}")
    category = "culture"
    audience = "all"
    location = "社区广场"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    duration_minutes = 90
    capacity = 10
    registration_closes_hours = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db import transaction

        from activities.services import _sync_occurrences

        with transaction.atomic():
            activity = super()._create(model_class, *args, **kwargs)
            _sync_occurrences(activity, actor=None)
        return activity


class IssueFactory(factory.django.DjangoModelFactory):
    """An issue taken in at a center, in the status given (history not written)."""

    class Meta:
        model = "deliberation.Issue"

    center = factory.SubFactory(CenterFactory)
    title = factory.Sequence(lambda n: f"园艺所西巷雨天积水{n}")
    description = "雨天路面积水，老人出行不便。"
    category = "drainage"
    location = "园艺所西巷"
    submitter_name = "张大爷"
    submitter_phone = factory.Sequence(lambda n: f"137{n:08d}")
    response_due = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.Item"

    category = "clothing"
    name = factory.Sequence(lambda n: f"冬衣{n}")
    unit = "件"


class AidStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.AidStation"

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"党群爱心援助站{n}")
    how_to_donate = "工作日 9:00–17:00 送到服务大厅。"


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "assistance.Beneficiary"

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"帮扶对象{n}")
    gender = "f"
    birth_year = 1948
    phone = factory.Sequence(lambda n: f"136{n:08d}")
    id_number = factory.Sequence(lambda n: f"15010219480101{n:04d}")
    address = "测试小区1号楼"
    tier = "medium"
    consent_on = factory.LazyFunction(lambda: timezone.localdate())
