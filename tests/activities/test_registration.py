from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Occurrence, Registration
from centers.messaging import sms_outbox
from centers.models import Notification
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "centers.messaging.LocmemSmsBackend"
    sms_outbox.clear()


def occurrence_of(**kwargs):
    return ActivityFactory(**kwargs).occurrences.get()


def test_signup_within_capacity_is_confirmed(tree):
    occurrence = occurrence_of(center=tree.community, capacity=2)
    registration = services.registration_create(user=UserFactory(), occurrence=occurrence)
    assert registration.status == Registration.Status.CONFIRMED
    occurrence.refresh_from_db()
    assert occurrence.confirmed_count == 1


def test_signup_beyond_capacity_goes_to_waiting_list(tree):
    occurrence = occurrence_of(center=tree.community, capacity=1)
    services.registration_create(user=UserFactory(), occurrence=occurrence)
    second = services.registration_create(user=UserFactory(), occurrence=occurrence)
    assert second.status == Registration.Status.WAITLISTED
    occurrence.refresh_from_db()
    assert occurrence.confirmed_count == 1


def test_cancellation_promotes_first_in_line_and_tells_them(
    tree, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(center=tree.community, capacity=1)
    first = services.registration_create(user=UserFactory(), occurrence=occurrence)
    second_user, third_user = UserFactory(), UserFactory()
    second = services.registration_create(user=second_user, occurrence=occurrence)
    third = services.registration_create(user=third_user, occurrence=occurrence)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(user=first.user, registration=first)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Registration.Status.CONFIRMED and second.promoted_at
    assert third.status == Registration.Status.WAITLISTED
    occurrence.refresh_from_db()
    assert occurrence.confirmed_count == 1
    note = Notification.objects.get(user=second_user)
    assert "候补成功" in note.title
    assert [phone for phone, _text in sms_outbox] == [second_user.phone]


def test_cancelling_a_waitlisted_signup_promotes_nobody(tree):
    occurrence = occurrence_of(center=tree.community, capacity=1)
    services.registration_create(user=UserFactory(), occurrence=occurrence)
    waiting = services.registration_create(user=UserFactory(), occurrence=occurrence)
    services.registration_cancel(user=waiting.user, registration=waiting)
    occurrence.refresh_from_db()
    assert occurrence.confirmed_count == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda o: Occurrence.objects.filter(pk=o.pk).update(status="cancelled"), "已经取消"),
        (
            lambda o: Occurrence.objects.filter(pk=o.pk).update(
                starts_at=timezone.now() - timedelta(hours=1),
                ends_at=timezone.now() + timedelta(hours=1),
            ),
            "已经开始",
        ),
        (
            lambda o: Occurrence.objects.filter(pk=o.pk).update(
                starts_at=timezone.now() + timedelta(hours=1),
                ends_at=timezone.now() + timedelta(hours=2),
            ),
            "截止",
        ),
    ],
    ids=["cancelled", "past", "after-deadline"],
)
def test_signup_refused_with_a_clear_message(tree, setup, message):
    occurrence = occurrence_of(center=tree.community)
    setup(occurrence)
    with pytest.raises(ValidationError) as info:
        services.registration_create(user=UserFactory(), occurrence=occurrence)
    assert message in " ".join(info.value.messages)
    assert not Registration.objects.exists()


def test_signing_up_twice_is_refused(tree):
    occurrence = occurrence_of(center=tree.community)
    user = UserFactory()
    services.registration_create(user=user, occurrence=occurrence)
    with pytest.raises(ValidationError, match="已经报名"):
        services.registration_create(user=user, occurrence=occurrence)


def test_database_refuses_two_active_signups_for_one_occurrence(tree):
    occurrence = occurrence_of(center=tree.community)
    user = UserFactory()
    Registration.objects.create(occurrence=occurrence, user=user, status="confirmed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(occurrence=occurrence, user=user, status="waitlisted")
    # A cancelled one does not count: the resident may sign up again.
    Registration.objects.filter(user=user).update(status="cancelled")
    Registration.objects.create(occurrence=occurrence, user=user, status="confirmed")


def test_database_refuses_more_confirmed_than_capacity(tree):
    occurrence = occurrence_of(center=tree.community, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Occurrence.objects.filter(pk=occurrence.pk).update(confirmed_count=3)


def test_signup_page_flow_for_a_resident(client, tree, resident):
    occurrence = occurrence_of(center=tree.community, capacity=5)
    client.force_login(resident)
    response = client.post(reverse("activities:signup", args=[occurrence.pk]))
    registration = Registration.objects.get()
    assert response.status_code == 302 and response["Location"] == registration.get_absolute_url()
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "报名成功" in page and 'src="data:image/svg+xml' in page
    again = client.post(reverse("activities:signup", args=[occurrence.pk]), follow=True)
    assert "已经报名" in again.content.decode()
    cancel = reverse("activities:registration_cancel", args=[registration.pk])
    assert "确定取消报名" in client.get(cancel).content.decode()
    assert client.post(cancel).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_signup_without_an_account_goes_to_login(client, tree):
    occurrence = occurrence_of(center=tree.community)
    response = client.post(reverse("activities:signup", args=[occurrence.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Registration.objects.exists()


def test_signup_view_refuses_get(client, tree, resident):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(resident)
    assert client.get(reverse("activities:signup", args=[occurrence.pk])).status_code == 405


def test_residents_cannot_see_each_others_registrations(client, tree):
    occurrence = occurrence_of(center=tree.community)
    registration = services.registration_create(user=UserFactory(), occurrence=occurrence)
    client.force_login(UserFactory())
    assert client.get(registration.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("activities:registration_cancel", args=[registration.pk])).status_code
        == 404
    )


def test_my_registrations_shows_signups_and_volunteer_hours(client, tree, resident):
    occurrence = occurrence_of(center=tree.community, title="老年大学书法课")
    registration = services.registration_create(user=resident, occurrence=occurrence)
    Registration.objects.filter(pk=registration.pk).update(attended=True, hours_credited=2)
    client.force_login(resident)
    response = client.get(reverse("activities:mine"))
    html = response.content.decode()
    assert "老年大学书法课" in html
    assert response.context["hours"] == 2
