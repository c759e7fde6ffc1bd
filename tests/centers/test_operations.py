import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_sitemap_lists_published_centers(client, tree):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/centers/chuangye/" in body
    assert "/manage/" not in body


def test_robots_txt_keeps_crawlers_out_of_staff_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Disallow: /manage/" in body and "sitemap.xml" in body


@pytest.mark.django_db
def test_404_page_is_chinese_and_does_not_echo_the_path(client):
    response = client.get("/centers/<script>alert(1)</script>/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "<script>alert(1)" not in body


def test_500_page_is_chinese_and_leaks_nothing(client, settings):
    from centers.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务暂时不可用" in body
    assert "Traceback" not in body and "SECRET" not in body


@pytest.mark.django_db
def test_admin_is_for_superusers_only(client, district_admin):
    client.force_login(district_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_check_deploy_passes_with_production_settings(monkeypatch):
    """`check --deploy` with DEBUG off and a real key reports nothing."""
    import subprocess
    import sys

    env = {
        "DEBUG": "False",
        "SECRET_KEY": "a-real-secret-key-for-this-test-only-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
        "ALLOWED_HOSTS": "dangqun.example.cn",
        "FIELD_ENCRYPTION_SALT": "a-salt-for-this-test",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_login_page_is_in_chinese_and_reports_bad_credentials(client, resident):
    response = client.post(reverse("login"), {"username": resident.phone, "password": "wrong"})
    assert response.status_code == 200
    assert "手机号码或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_no_migrations_are_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_sitemap_lists_published_activities_and_meeting_results(client, tree):
    from django.utils import timezone

    from activities.models import Activity
    from deliberation.models import Meeting
    from tests.factories import ActivityFactory

    shown = ActivityFactory(center=tree.community)
    hidden = ActivityFactory(center=tree.community)
    Activity.objects.filter(pk=hidden.pk).update(is_published=False)
    held = timezone.now()
    published = Meeting.objects.create(
        center=tree.community, title="议事会", held_at=held, place="会议室", published_at=held
    )
    draft = Meeting.objects.create(
        center=tree.community, title="筹备会", held_at=held, place="会议室"
    )
    body = client.get("/sitemap.xml").content.decode()
    assert shown.get_absolute_url() in body and hidden.get_absolute_url() not in body
    assert published.get_absolute_url() in body and draft.get_absolute_url() not in body
