"""Registries through which other apps add to center pages and reports.

`centers` never imports the other apps; each one registers here in its AppConfig.ready().

A page section is a callable `section(center, request) -> dict | None`. It receives the public
center (with `path` for subtree queries) and returns the context for its template, or None to
stay hidden. It must run a fixed number of queries whatever the data size.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageSection:
    key: str
    template: str
    build: object
    order: int = 100


@dataclass
class Registry:
    items: dict = field(default_factory=dict)

    def register(self, item):
        self.items[item.key] = item
        return item

    def unregister(self, key):
        self.items.pop(key, None)

    def __iter__(self):
        return iter(sorted(self.items.values(), key=lambda item: (item.order, item.key)))


#: Sections shown on a public center page, below the center's own content.
center_page_sections = Registry()


@dataclass(frozen=True)
class AccountLink:
    """A link on the resident's account page ("my sign-ups", "my issues", …)."""

    key: str
    label: str
    url_name: str
    order: int = 100


#: Links on the account page, filled by the apps.
account_links = Registry()

#: Links on the staff console's dashboard (activities, issues, help…), filled by the apps.
console_links = Registry()


@dataclass(frozen=True)
class DemoLoader:
    """Another app's part of `seed_demo`: `load() -> Counter` of rows created, idempotent."""

    key: str
    load: object
    order: int = 100


#: Loaders run by `seed_demo` after the centers are in place.
demo_loaders = Registry()


@dataclass(frozen=True)
class ReportSection:
    """An app's figures for a center subtree and period.

    `build(center, start, end)` returns an ordered list of `Figure` for the subtree of `center`
    between the dates `start` and `end` (inclusive), in a fixed number of queries.
    """

    key: str
    title: str
    build: object
    order: int = 100


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: object
    unit: str = ""


#: Report sections for the district dashboard (filled by the apps).
report_sections = Registry()


def render_center_sections(center, request):
    """[(section, context)] for every registered section that has something to show."""
    rendered = []
    for section in center_page_sections:
        context = section.build(center, request)
        if context is not None:
            rendered.append((section, context))
    return rendered
