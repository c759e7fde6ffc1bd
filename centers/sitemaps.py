from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from centers.models import Center


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["home", "centers:list", "activities:calendar", "assistance:stations", "open_data"]

    def location(self, item):
        return reverse(item)


class CenterSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Center.objects.published().order_by("path").only("slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at


#: The sitemap's sections; the apps add theirs in their AppConfig.ready().
sitemaps = {"static": StaticSitemap, "centers": CenterSitemap}
