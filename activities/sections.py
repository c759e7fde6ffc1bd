"""What the activities app adds to a center's page (registered in apps.py)."""

from activities import selectors


def center_activities(center, request):
    """The next activities in the center's subtree: two queries whatever the data size."""
    return {"upcoming": selectors.center_upcoming(center), "center": center}
