from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("居民议事站")

    def ready(self):
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
        from deliberation import reports, signals
        from deliberation.demo import load_demo_deliberation
        from deliberation.models import IssueMonth
        from deliberation.reports import issue_figures
        from deliberation.sections import center_station
        from deliberation.sitemaps import MeetingSitemap

        center_page_sections.register(
            PageSection(
                key="deliberation",
                template="deliberation/includes/center_section.html",
                build=center_station,
                order=20,
            )
        )
        account_links.register(
            AccountLink(
                key="deliberation", label=_("我反映的问题"), url_name="deliberation:mine", order=20
            )
        )
        console_links.register(
            AccountLink(
                key="deliberation",
                label=_("议题受理"),
                url_name="deliberation_manage:inbox",
                order=20,
            )
        )
        console_links.register(
            AccountLink(
                key="meetings",
                label=_("协商会议"),
                url_name="deliberation_manage:meetings",
                order=21,
            )
        )
        report_sections.register(
            ReportSection(key="deliberation", title=_("居民议事"), build=issue_figures, order=20)
        )
        summaries.register(
            summaries.Summary(
                section=reports.SUMMARY,
                model=IssueMonth,
                columns=reports.SUMMARY_COLUMNS,
                compute=reports.monthly_counts,
            )
        )
        signals.connect()
        demo_loaders.register(DemoLoader(key="deliberation", load=load_demo_deliberation, order=20))
        sitemaps["meetings"] = MeetingSitemap
