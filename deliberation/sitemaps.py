"""The published meeting results in the sitemap (registered in DeliberationConfig.ready)."""

from django.contrib.sitemaps import Sitemap

from deliberation.models import Meeting


class MeetingSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5
    limit = 5000

    def items(self):
        return (
            Meeting.objects.published().order_by("-published_at", "-pk").only("pk", "published_at")
        )

    def lastmod(self, meeting):
        return meeting.published_at
