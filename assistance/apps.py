from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("帮扶与爱心援助")

    def ready(self):
        from assistance import reports, signals
        from assistance.demo import load_demo_assistance
        from assistance.models import AidMonth
        from assistance.reports import assistance_figures
        from assistance.sections import center_aid_station
        from centers import summaries
        from centers.sections import (
            AccountLink,
            DemoLoader,
            PageSection,
            ReportSection,
            center_page_sections,
            console_links,
            demo_loaders,
            report_sections,
        )

        center_page_sections.register(
            PageSection(
                key="aid_station",
                template="assistance/includes/center_section.html",
                build=center_aid_station,
                order=30,
            )
        )
        report_sections.register(
            ReportSection(
                key="assistance", title=_("帮扶与援助"), build=assistance_figures, order=30
            )
        )
        summaries.register(
            summaries.Summary(
                section=reports.SUMMARY,
                model=AidMonth,
                columns=reports.SUMMARY_COLUMNS,
                compute=reports.monthly_counts,
            )
        )
        signals.connect()
        demo_loaders.register(DemoLoader(key="assistance", load=load_demo_assistance, order=30))
        console_links.register(
            AccountLink(
                key="assistance",
                label=_("结对帮扶"),
                url_name="assistance_manage:dashboard",
                order=30,
            )
        )
        console_links.register(
            AccountLink(
                key="aid_stations",
                label=_("爱心援助站"),
                url_name="assistance_manage:stations",
                order=31,
            )
        )
