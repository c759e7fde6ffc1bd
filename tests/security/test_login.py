"""Login throttling (django-axes): five failures for one account from one address lock that
pair out for 30 minutes; nobody else is affected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
DASHBOARD = reverse("manage:dashboard")


def attempt(client, user, password, **extra):
    return client.post(LOGIN, {"username": user.phone, "password": password}, **extra)


def fail(client, user, times, **extra):
    return [attempt(client, user, "wrong-password", **extra).status_code for _ in range(times)]


def is_signed_in(client):
    return client.get(DASHBOARD).status_code == 200


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(client, community_worker):
    # The first four are ordinary form errors; the fifth locks.
    assert fail(client, community_worker, 5) == [200, 200, 200, 200, 429]

    response = attempt(client, community_worker, PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂停" in html and "密码连续输错 5 次" in html and "30 分钟" in html
    # The page does not repeat the phone number that was typed.
    assert community_worker.phone not in html
    assert not is_signed_in(client)


def test_another_account_from_the_same_address_is_not_locked(
    client, community_worker, street_staff
):
    fail(client, community_worker, 5)

    response = attempt(client, street_staff, PASSWORD)

    assert response.status_code == 302 and is_signed_in(client)


def test_the_account_from_another_address_is_not_locked(client, community_worker):
    fail(client, community_worker, 5, REMOTE_ADDR="10.0.0.7")

    response = attempt(client, community_worker, PASSWORD, REMOTE_ADDR="10.0.0.8")

    assert response.status_code == 302 and is_signed_in(client)


def test_the_lock_lifts_after_30_minutes(client, community_worker):
    fail(client, community_worker, 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=29))
    assert attempt(client, community_worker, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))

    assert attempt(client, community_worker, PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures(client, community_worker):
    fail(client, community_worker, 4)
    assert attempt(client, community_worker, PASSWORD).status_code == 302
    client.post(reverse("logout"))

    assert fail(client, community_worker, 4) == [200, 200, 200, 200]


def test_behind_nginx_the_forwarded_client_address_is_counted(client, settings, community_worker):
    """With one trusted proxy, the address nginx appended is the client's, not nginx's own
    (REMOTE_ADDR) nor what the client wrote further left (that part can be forged)."""
    settings.TRUSTED_PROXY_COUNT = 1
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    fail(client, community_worker, 5, HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx)

    forged = attempt(
        client,
        community_worker,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5",
        **nginx,
    )
    elsewhere = attempt(
        client, community_worker, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **nginx
    )

    assert forged.status_code == 429
    assert elsewhere.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_failed_attempts_do_not_store_the_password(client, community_worker):
    fail(client, community_worker, 1)

    attempt_row = AccessAttempt.objects.get()

    assert "wrong-password" not in attempt_row.post_data
    assert attempt_row.username == community_worker.phone


def test_the_admin_login_is_throttled_too(client, community_worker):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": community_worker.phone, "password": "wrong-password"})

    response = client.post(url, {"username": community_worker.phone, "password": PASSWORD})

    assert response.status_code == 429


def test_lockout_page_carries_the_security_headers(client, community_worker):
    response = fail(client, community_worker, 5) and attempt(client, community_worker, PASSWORD)

    assert response.status_code == 429
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response
