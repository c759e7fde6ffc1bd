from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("服务中心")

    def ready(self):
        from centers import caching
        from centers.sections import AccountLink, console_links

        caching.connect_signals()
        console_links.register(
            AccountLink(key="reports", label=_("工作报表"), url_name="reports:dashboard", order=5)
        )
