from django.conf import settings

from centers import scoping


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "is_staff_member": (lambda: scoping.is_staff_member(user)) if user else False,
    }
