import pytest
from django.urls import reverse

from assistance.models import Item
from centers.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "assistance_manage:items"


def test_staff_add_an_item_to_the_catalogue(client, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse(URL), {"category": "bedding", "name": "棉被", "unit": "床"})
    assert response.status_code == 302
    assert Item.objects.get().unit == "床"
    assert AuditEntry.objects.get().action == "create"
    assert "棉被" in client.get(reverse(URL)).content.decode()


def test_a_duplicate_item_is_a_form_error(client, community_worker):
    Item.objects.create(category="bedding", name="棉被", unit="床")
    client.force_login(community_worker)
    response = client.post(reverse(URL), {"category": "bedding", "name": "棉被", "unit": "床"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Item.objects.count() == 1


def test_viewers_and_residents_cannot_add_items(client, community_viewer, resident):
    client.force_login(community_viewer)
    assert (
        client.post(reverse(URL), {"category": "bedding", "name": "棉被", "unit": "床"}).status_code
        == 403
    )
    client.force_login(resident)
    assert client.get(reverse(URL)).status_code == 403
    assert not Item.objects.exists()


def test_anonymous_users_are_sent_to_login(client, tree):
    assert client.get(reverse(URL)).status_code == 302
