from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("活动日历")

    def ready(self):
        from activities import feeds, reports, sections, signals
        from activities.demo import load_demo_activities
        from activities.models import ActivityMonth
        from activities.reports import activity_figures
        from activities.sitemaps import ActivitySitemap
        from centers import summaries
        from centers.sections import (
            AccountLink,
            DemoLoader,
            PageSection,
            ReportSection,
            account_links,
            center_page_sections,
            console_links,
            demo_loaders,
            report_sections,
        )
        from centers.sitemaps import sitemaps

        center_page_sections.register(
            PageSection(
                key="activities",
                template="activities/includes/center_section.html",
                build=sections.center_activities,
                order=10,
            )
        )
        account_links.register(
            AccountLink(key="activities", label=_("我的报名与志愿时长"), url_name="activities:mine")
        )
        demo_loaders.register(DemoLoader(key="activities", load=load_demo_activities, order=10))
        report_sections.register(
            ReportSection(key="activities", title=_("活动"), build=activity_figures, order=10)
        )
        summaries.register(
            summaries.Summary(
                section=reports.SUMMARY,
                model=ActivityMonth,
                columns=reports.SUMMARY_COLUMNS,
                compute=reports.monthly_counts,
            )
        )
        signals.connect()
        feeds.connect_signals()
        console_links.register(
            AccountLink(
                key="activities", label=_("活动管理"), url_name="activities_manage:list", order=10
            )
        )
        sitemaps["activities"] = ActivitySitemap
