from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "centers"
    verbose_name = _("服务中心")

    def ready(self):
        from centers import caching

        caching.connect_signals()
