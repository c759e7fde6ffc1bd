"""Fixtures of the security tests: chuangye's world and the people who must not get into it.

Login throttling (django-axes) is on in this folder, as in production (see tests/conftest.py).
"""

import sys

import pytest
from django.test import Client

from tests.security import world as world_module


def signed_in(user):
    """A test client of its own, signed in as `user` (anonymous for None)."""
    client = Client()
    client.session_user = user
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(tree, community_worker, street_staff):
    return world_module.build(tree, worker=community_worker, street_staff=street_staff)


@pytest.fixture
def visitors(outsider, resident):
    """The three who must not get in: nobody, staff of another community, a resident."""
    return {
        "anonymous": signed_in(None),
        "outsider": signed_in(outsider),
        "resident": signed_in(resident),
    }


def pytest_terminal_summary(terminalreporter):
    """How many inputs the input tests tried, for the figures in the README."""
    inputs = sys.modules.get("tests.security.test_inputs")
    if inputs is not None and inputs.TRIED:
        terminalreporter.write_line(
            f"input tests: {sum(inputs.TRIED.values())} inputs tried "
            f"against {len(inputs.TRIED)} forms, filters and paths"
        )
