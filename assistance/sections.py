"""What the love aid station adds to a center's page (registered in apps.py)."""

from assistance import station_selectors


def center_aid_station(center, request):
    """The center's public aid station: its wish list, counts on hand by category and a link.

    Two queries whatever the data size; None (hidden) when the center runs no public station.
    """
    block = station_selectors.center_station_block(center)
    if block is None:
        return None
    return {**block, "center": center}
