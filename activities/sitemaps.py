"""Published activities in the sitemap (registered in ActivitiesConfig.ready)."""

from django.contrib.sitemaps import Sitemap

from activities.models import Activity


class ActivitySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self):
        return Activity.objects.published().order_by("-pk").only("pk", "updated_at")

    def lastmod(self, activity):
        return activity.updated_at
