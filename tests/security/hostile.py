"""A hostile world for the escaping tests: chuangye's world with markup in every text field.

Every CharField and TextField of every model of the four apps is found with `_meta.get_fields()`,
so a field added later is filled too; `SKIPPED` names the few whose values the code sets itself.
Each field gets the longest payload it can hold. The pages that show the text are the URL
configuration itself (`tests.security.test_access` fills every URL's arguments).
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.apps import apps
from django.db import models
from django.urls import reverse

from assistance.models import WishListItem
from centers.models import Center, Notification, StaffRole
from deliberation.models import Issue
from tests.conftest import _staff, make_tree
from tests.factories import UserFactory
from tests.security import test_access as access
from tests.security import world as world_module

#: The apps whose models hold the portal's data.
APPS = ("centers", "activities", "deliberation", "assistance")

#: Script, event handler and a broken-out attribute: each one runs if it reaches the DOM as markup.
FULL = (
    '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">"\'>'
    "<svg onload=window.__xss=1>"
)
MEDIUM = "\"'><img src=x onerror=window.__xss=1>"
#: For the short fields (names, phone numbers): harmless, but an element if it is not escaped.
SHORT = "<s id=xs>"
#: A line break and a property of its own: must not become a new line of an iCalendar event.
LINE_BREAK = "\r\nX-INJECTED:1"
JAVASCRIPT_URL = "javascript:window.__xss=1"

#: Fields whose value the code sets, never a person: (app_label.Model, field) → why.
SKIPPED = {
    ("centers.User", "password"): "a password hash, never shown",
    ("centers.Center", "path"): "treebeard's materialised path",
    ("centers.Center", "slug"): "part of URLs; a SlugField cannot hold markup",
    ("centers.AuditEntry", "object_type"): "the model label, written by audit()",
    ("centers.AuditEntry", "object_id"): "the primary key, written by audit()",
    ("activities.Activity", "recurrence"): "an RRULE that the service builds from the form",
    ("deliberation.Issue", "tracking_code"): "generated, part of the public tracking URL",
    ("centers.SummaryState", "section"): "a report section's key, set by the summaries' code",
}
#: Also skipped: fields with `choices` (their value is one of the code's choices, and pages
#: show the choice's label). Fields holding a URL get `JAVASCRIPT_URL` instead of markup:
URL_FIELDS = {("centers.Notification", "url")}


def _unique_fields(model):
    names = {f.name for f in model._meta.fields if f.unique}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    return names


@dataclass(frozen=True)
class TextField:
    model: type
    name: str
    max_length: int | None
    unique: bool

    @property
    def key(self):
        return (self.model._meta.label, self.name)

    def __str__(self):
        return f"{self.model._meta.label}.{self.name}"

    def payload(self, row):
        """The longest payload that fits, made unique by the row's number where it must be."""
        suffix = str(row) if self.unique else ""
        if self.key in URL_FIELDS:
            return JAVASCRIPT_URL + suffix
        room = (self.max_length or 10_000) - len(suffix)
        for text in (FULL + LINE_BREAK, FULL, MEDIUM, SHORT):
            if len(text) <= room:
                return text + suffix
        raise AssertionError(f"{self} (max_length {self.max_length}) holds no payload")


def text_fields():
    """Every person-entered CharField/TextField of the four apps' models."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        unique = _unique_fields(model)
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField | models.TextField) or field.auto_created:
                continue
            if field.choices or (model._meta.label, field.name) in SKIPPED:
                continue
            found.append(TextField(model, field.name, field.max_length, field.name in unique))
    return found


def poison():
    """Write the payloads into every row of every model with text fields; returns the fields.

    QuerySet.update() stores the text as it is: the forms' validation is not under test, the
    templates are, and data also arrives by imports, the admin and old versions of the forms.
    """
    fields = text_fields()
    by_model = {}
    for field in fields:
        by_model.setdefault(field.model, []).append(field)
    empty = []
    for model, model_fields in by_model.items():
        pks = list(model._base_manager.values_list("pk", flat=True))
        if not pks:
            empty.append(model._meta.label)
        for row, pk in enumerate(pks):
            values = {field.name: field.payload(row) for field in model_fields}
            model._base_manager.filter(pk=pk).update(**values)
    assert not empty, f"no rows to fill, add some to hostile.build(): {empty}"
    return fields


def build():
    """The personas and chuangye's world, plus the rows the world lacks, all poisoned."""
    tree = make_tree()
    people = {
        "community_worker": _staff(tree.community, user__name="社区工作人员"),
        "street_staff": _staff(tree.street, user__name="街道工作人员"),
        "district_admin": _staff(tree.district, StaffRole.Role.MANAGER),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    world = world_module.build(
        tree, worker=people["community_worker"], street_staff=people["street_staff"]
    )
    Notification.objects.create(user=world.registrant, title="活动时间调整", url="/")
    WishListItem.objects.create(station=world.station, item=world.rice, note="急需")
    Center.objects.filter(pk=tree.community.pk).update(is_published=True)
    # So that the resident's "my issues" page has one to show.
    Issue.objects.filter(pk=world.accepted.pk).update(submitted_by=world.registrant)
    fields = poison()
    return SimpleNamespace(tree=tree, world=world, fields=fields, **people)


@dataclass(frozen=True)
class Page:
    key: str
    who: str | None  # a key of build()'s people, "registrant", or None for anonymous
    address: object  # (hostile) -> the URL

    def url(self, hostile):
        return self.address(hostile)

    def user(self, hostile):
        if self.who is None:
            return None
        if self.who == "registrant":
            return hostile.world.registrant
        return getattr(hostile, self.who)

    def __str__(self):
        return self.key


def _case_url(case):
    return lambda hostile: access.url_for(case, hostile.world)


def pages():
    """Every page of the URL configuration, with who opens it: staff URLs as chuangye's worker
    (the district-wide dashboards also as the district admin), account URLs as the resident who
    signed up, public URLs anonymously, and the admin's pages of the four apps as a superuser."""
    found = [Page(str(case), "community_worker", _case_url(case)) for case in access.STAFF]
    for name in ("reports:dashboard", "manage:dashboard"):
        found.append(Page(f"{name}[district]", "district_admin", lambda h, n=name: reverse(n)))
    found += [Page(str(case), "registrant", _case_url(case)) for case in access.ACCOUNT_CASES]
    found += [Page(str(case), None, _case_url(case)) for case in access.PUBLIC_CASES]
    for case in access.ADMIN:
        parts = case.route.route.split("/")
        if len(parts) > 2 and parts[1] in APPS:
            found.append(
                Page(str(case), "superuser", lambda h, r=case.route: access.admin_url(r, h.tree))
            )
    return found
