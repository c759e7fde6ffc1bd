from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("活动日历")

    def ready(self):
        from activities import sections
        from centers.sections import AccountLink, PageSection, account_links, center_page_sections

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
