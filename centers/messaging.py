"""Outgoing email and SMS. SMS goes through a small backend chosen by the SMS_BACKEND setting."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("dangqun.messaging")

#: Messages "sent" by the locmem backend, for tests (like django.core.mail.outbox).
sms_outbox = []


class ConsoleSmsBackend:
    """Development: SMS go to the log."""

    def send(self, phone, text):
        logger.warning("SMS to %s: %s", phone, text)


class LocmemSmsBackend:
    def send(self, phone, text):
        sms_outbox.append((phone, text))


def send_sms(phone, text):
    import_string(settings.SMS_BACKEND)().send(phone, text)


def deliver(user, title, body):
    """Send one notification by email and SMS, where the user has them; failures are logged."""
    text = f"【{settings.SITE_NAME}】{title}。{body}".strip()
    if user.email:
        try:
            send_mail(title, body, None, [user.email])
        except Exception:  # a mail server outage must not undo the action that caused it
            logger.exception("Email to user %s failed", user.pk)
    if user.phone:
        try:
            send_sms(user.phone, text)
        except Exception:
            logger.exception("SMS to user %s failed", user.pk)
