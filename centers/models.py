"""The center tree, its public page content, the user model and staff roles."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位手机号码。"))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone, password, **extra_fields):
        if not phone:
            raise ValueError("A phone number is required.")
        user = self.model(phone=phone, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(phone, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everybody who signs in: residents by phone number, staff by the same."""

    phone = models.CharField(
        _("手机号码"), max_length=11, unique=True, validators=[phone_validator]
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_staff = models.BooleanField(
        _("可进入管理后台"),
        default=False,
        help_text=_("仅超级管理员需要；工作人员通过岗位进入工作台。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.masked_phone

    @property
    def masked_phone(self):
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) == 11 else self.phone

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class CenterQuerySet(MP_NodeQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.centers_q(user, perm))


class CenterManager(MP_NodeManager.from_queryset(CenterQuerySet)):
    def get_queryset(self):
        return CenterQuerySet(self.model, using=self._db).order_by("path")


class Center(MP_Node):
    """A party-mass service center; its place in the tree is its materialized path."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        PARK = "park", _("园区")
        BUILDING = "building", _("商圈楼宇")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(
        _("简称"), max_length=40, help_text=_("如“大台什社区”，用于列表和面包屑。")
    )
    slug = models.SlugField(_("网址标识"), max_length=80, unique=True)
    level = models.CharField(_("层级"), max_length=20, choices=Level)
    brand = models.CharField(_("服务品牌"), max_length=100, blank=True)
    brand_story = models.TextField(_("品牌介绍"), blank=True)
    intro = models.TextField(_("中心简介"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    opening_hours = models.TextField(
        _("开放时间"), blank=True, help_text=_("每行一段，例如：周一至周五 8:30–12:00，14:30–18:00")
    )
    area_sqm = models.PositiveIntegerField(_("建筑面积（平方米）"), null=True, blank=True)
    is_published = models.BooleanField(_("公开展示"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CenterManager()

    class Meta:
        verbose_name = _("党群服务中心")
        verbose_name_plural = _("党群服务中心")
        indexes = [models.Index(fields=["level"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("centers:detail", args=[self.slug])

    def get_manage_url(self):
        return reverse("manage:center", args=[self.slug])

    @property
    def ancestor_paths(self):
        """Paths of every ancestor, root first: computed from the row, no query."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def children_q(self):
        """Lookup for the direct children, independent of the cached `numchild`."""
        return models.Q(depth=self.depth + 1, path__startswith=self.path)

    @cached_property
    def children_in_order(self):
        """The direct children in tree order, read once per instance (one query): a page's
        report sections and its own layout share them."""
        return list(Center.objects.filter(self.children_q()).order_by("path"))

    @property
    def opening_hours_lines(self):
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]


class CenterContentQuerySet(models.QuerySet):
    """Shared queryset for everything that belongs to one center's page."""

    def for_user(self, user, perm="view"):
        from centers import scoping

        return self.filter(scoping.center_field_q(user, perm, field="center"))


class CenterContent(models.Model):
    center = models.ForeignKey(Center, on_delete=models.CASCADE, verbose_name=_("所属中心"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CenterContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]


class Room(CenterContent):
    class Kind(models.TextChoices):
        SERVICE_HALL = "service_hall", _("服务大厅")
        PARTY_ACTIVITY = "party_activity", _("党建活动室")
        READING = "reading", _("阅览室")
        MEETING = "meeting", _("会议室")
        ELDERLY = "elderly", _("为老服务活动室")
        CHILDREN = "children", _("少儿活动室")
        RECEPTION = "reception", _("谈心接待室")
        CULTURE = "culture", _("书画文化室")
        DELEGATES = "delegates", _("人大政协之家")
        SPORTS = "sports", _("文体活动室")
        EXHIBITION = "exhibition", _("展厅")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind, default=Kind.OTHER)
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    description = models.TextField(_("介绍"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="rooms/%Y/", blank=True)
    thumbnail = models.ImageField(upload_to="rooms/thumbs/%Y/", blank=True, editable=False)

    class Meta(CenterContent.Meta):
        verbose_name = _("功能室")
        verbose_name_plural = _("功能室")
        default_related_name = "rooms"

    def __str__(self):
        return self.name


class Exhibition(CenterContent):
    """A permanent exhibition, such as a community's party-history hall (党建文史馆)."""

    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("介绍"), blank=True)
    halls = models.TextField(_("展区"), blank=True, help_text=_("每行一个展区，可在“：”后写简介。"))

    class Meta(CenterContent.Meta):
        verbose_name = _("展馆")
        verbose_name_plural = _("展馆")
        default_related_name = "exhibitions"

    def __str__(self):
        return self.name

    @property
    def hall_list(self):
        """Each line of `halls` as (name, note)."""
        result = []
        for line in self.halls.splitlines():
            if line.strip():
                name, _sep, note = line.replace(":", "：").partition("：")
                result.append((name.strip(), note.strip()))
        return result


class Service(CenterContent):
    """A key service a center offers (重点服务)."""

    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("介绍"), blank=True)

    class Meta(CenterContent.Meta):
        verbose_name = _("重点服务")
        verbose_name_plural = _("重点服务")
        default_related_name = "services"

    def __str__(self):
        return self.name


class Team(CenterContent):
    """A volunteer team, social organisation or partner unit working with a center."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("志愿服务队")
        SOCIAL_ORG = "social_org", _("社会组织")
        PARTNER = "partner", _("共建单位")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind)
    description = models.TextField(_("介绍"), blank=True)
    member_count = models.PositiveIntegerField(
        _("成员人数"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta(CenterContent.Meta):
        verbose_name = _("队伍与组织")
        verbose_name_plural = _("队伍与组织")
        default_related_name = "teams"
        constraints = [
            models.UniqueConstraint(
                fields=["center", "kind", "name"], name="team_unique_per_center"
            ),
        ]

    def __str__(self):
        return self.name


class Photo(CenterContent):
    image = models.ImageField(_("照片"), upload_to="photos/%Y/")
    thumbnail = models.ImageField(upload_to="photos/thumbs/%Y/", editable=False)
    caption = models.CharField(_("说明"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta(CenterContent.Meta):
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        default_related_name = "photos"

    def __str__(self):
        return self.caption


class StaffRole(models.Model):
    """A user's role at a center; it covers the center's whole subtree."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("负责人")
        EDITOR = "editor", _("工作人员")
        VIEWER = "viewer", _("查看")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("用户"),
    )
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("中心")
    )
    role = models.CharField(_("岗位"), max_length=20, choices=Role, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作人员岗位")
        verbose_name_plural = _("工作人员岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "center"], name="staffrole_one_per_center"),
        ]

    def __str__(self):
        return f"{self.user} · {self.center.short_name} · {self.get_role_display()}"


class AuditEntry(models.Model):
    """Who changed or viewed what, and when: written by services, never edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        VIEW_PERSONAL = "view_personal", _("查看个人信息")
        EXPORT = "export", _("导出")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("操作人"),
    )
    center = models.ForeignKey(
        Center, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("中心")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    summary = models.CharField(_("摘要"), max_length=255)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.summary}"


class Notification(models.Model):
    """A message to one user (a moved activity, a promotion from the waiting list, …).

    Shown in the user's account; also sent by email and SMS when the user has them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("用户"),
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return self.title

    @property
    def link(self):
        """`url` if it is a path on this site; a "javascript:" or off-site URL is not linked."""
        local = self.url.startswith("/") and url_has_allowed_host_and_scheme(self.url, None)
        return self.url if local else ""


class SummaryState(models.Model):
    """How far a report section's monthly summary reaches (centers.summaries): every month up
    to and including `built_through` (a first of the month) is summarised, and kept so on
    every write that touches it."""

    section = models.CharField(_("统计板块"), max_length=40, unique=True)
    built_through = models.DateField(_("汇总至（月）"))
    built_at = models.DateTimeField(_("汇总时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月度汇总状态")
        verbose_name_plural = _("月度汇总状态")

    def __str__(self):
        return f"{self.section} ≤ {self.built_through:%Y-%m}"


class MonthlySummary(models.Model):
    """Base of a section's monthly summary: one row per center and ended month with data, the
    section's additive figures as columns (see centers.summaries)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        abstract = True
