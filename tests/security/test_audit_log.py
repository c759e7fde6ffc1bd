"""The access log (AuditEntry) can be read in the admin, never added to, changed or deleted."""

import pytest
from django.urls import reverse

from centers.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(tree, community_worker):
    return AuditEntry.objects.create(
        actor=community_worker,
        center=tree.community,
        action=AuditEntry.Action.VIEW_PERSONAL,
        object_type="beneficiary",
        object_id="1",
        summary="查看帮扶对象完整信息",
    )


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_a_superuser_reads_the_log_but_cannot_change_it(superuser_client, entry):
    changelist = reverse("admin:centers_auditentry_changelist")
    page = superuser_client.get(changelist)
    assert page.status_code == 200 and "查看帮扶对象完整信息" in page.content.decode()
    # No bulk "delete selected" action on the list.
    assert "delete_selected" not in page.content.decode()
    change = reverse("admin:centers_auditentry_change", args=[entry.pk])
    view = superuser_client.get(change)
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    posted = superuser_client.post(change, {"summary": "改过的记录", "action": "update"})
    assert posted.status_code == 403
    assert superuser_client.get(reverse("admin:centers_auditentry_add")).status_code == 403
    deleted = superuser_client.post(
        reverse("admin:centers_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    bulk = superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302, 403)
    entry.refresh_from_db()
    assert entry.summary == "查看帮扶对象完整信息"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
