"""`python manage.py seed_demo`: load the demo district from centers/demo_data.py.

Idempotent: whatever exists is left as it is, so a second run changes nothing and staff edits
made in the demo survive a re-run.
"""

import unicodedata
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from centers import caching, demo_data, summaries
from centers.models import Center, Exhibition, Room, Service, StaffRole, Team
from centers.sections import demo_loaders

CENTER_FIELDS = [
    "slug",
    "name",
    "short_name",
    "level",
    "brand",
    "brand_story",
    "intro",
    "address",
    "phone",
    "opening_hours",
    "area_sqm",
]
#: The node key holding each content model's rows.
CONTENT_MODELS = {"rooms": Room, "exhibitions": Exhibition, "services": Service, "teams": Team}


@transaction.atomic
def load_demo(*, district=demo_data.DISTRICT, users=demo_data.DEMO_USERS):
    """Create whatever of the demo district and its staff logins is missing.

    Rows are matched, never updated: centers by slug, rooms/exhibitions/services/teams by
    (center, name), users by phone, roles by (user, center). A run with nothing to do costs one
    query per model. Returns a Counter of rows created per model.
    """
    created = Counter()
    nodes = list(demo_data.iter_centers(district))
    center_pks = dict(
        Center.objects.filter(slug__in=[node["slug"] for _parent, node in nodes]).values_list(
            "slug", "pk"
        )
    )
    for parent_slug, node in nodes:
        if node["slug"] in center_pks:
            continue
        center = Center(**{field: node[field] for field in CENTER_FIELDS if field in node})
        center.full_clean(exclude=["path", "depth", "numchild"])
        if parent_slug is None:
            center = Center.objects.add_root(instance=center)
        else:
            # Earlier inserts changed the parent's numchild (and may move paths if the tree is
            # sorted): treebeard must start from the parent's current row, not a stale copy.
            parent = Center.objects.get(pk=center_pks[parent_slug])
            center = Center.objects.add_child(parent, instance=center)
        center_pks[node["slug"]] = center.pk
        created[Center] += 1

    for key, model in CONTENT_MODELS.items():
        existing = set(
            model.objects.filter(center__in=center_pks.values()).values_list("center", "name")
        )
        new_rows = []
        for _parent, node in nodes:
            center_pk = center_pks[node["slug"]]
            for sort_order, fields in enumerate(node.get(key, ()), start=1):
                if (center_pk, fields["name"]) in existing:
                    continue
                row = model(center_id=center_pk, sort_order=sort_order, **fields)
                row.full_clean(exclude=["center"])
                new_rows.append(row)
        if new_rows:
            model.objects.bulk_create(new_rows)
            created[model] = len(new_rows)

    User = get_user_model()
    phones = [spec["phone"] for spec in users]
    accounts = {user.phone: user for user in User.objects.filter(phone__in=phones)}
    for spec in users:
        if spec["phone"] in accounts:
            continue
        user = User(phone=spec["phone"], name=spec["name"])
        user.set_password(demo_data.DEMO_PASSWORD)
        user.full_clean()
        user.save()
        accounts[user.phone] = user
        created[User] += 1

    roles = set(StaffRole.objects.filter(user__phone__in=phones).values_list("user", "center"))
    for spec in users:
        key = (accounts[spec["phone"]].pk, center_pks[spec["center"]])
        if key not in roles:
            StaffRole.objects.create(user_id=key[0], center_id=key[1], role=spec["role"])
            roles.add(key)
            created[StaffRole] += 1
    return created


def _width(text):
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(rows):
    """Rows of strings as aligned text columns; Chinese characters take two cells."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    )


class Command(BaseCommand):
    help = "载入演示数据：赛罕区的87个党群服务中心和演示账号。可重复运行，已有数据不会改动。"

    def handle(self, *args, **options):
        created = load_demo()
        for loader in demo_loaders:
            created.update(loader.load())
        # The loaders backdate rows with queryset updates, which send no signals: stale pages
        # go, and the report summaries are counted afresh.
        caching.bump()
        for section in summaries.summaries:
            summaries.build(section, rebuild=bool(created))
        if options["verbosity"] == 0:
            return
        if created:
            summary = "，".join(
                f"{model._meta.verbose_name} {count}" for model, count in created.items()
            )
            self.stdout.write(
                self.style.SUCCESS(_("演示数据已载入，新建：%(summary)s。") % {"summary": summary})
            )
        else:
            self.stdout.write(_("演示数据已是最新，没有需要新建的内容。"))
        self.stdout.write("")
        self.stdout.write(self.logins_table())

    def logins_table(self):
        names = {node["slug"]: node["name"] for _parent, node in demo_data.iter_centers()}
        header = [_("手机号（登录名）"), _("密码"), _("姓名"), _("身份"), _("岗位"), _("中心")]
        rows = [
            [
                spec["phone"],
                demo_data.DEMO_PASSWORD,
                spec["name"],
                spec["title"],
                str(StaffRole.Role(spec["role"]).label),
                names[spec["center"]],
            ]
            for spec in demo_data.DEMO_USERS
        ]
        return "\n".join([_("演示账号（仅供演示，请勿用于正式环境）："), _table([header, *rows])])
