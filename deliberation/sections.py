"""What the deliberation station adds to a center's page (registered in apps.py)."""

from dataclasses import fields

from centers.models import Center
from deliberation import selectors

#: Levels whose page shows the station: communities take issues in, streets and the district
#: show their subtree's figures. Park and building centers have no residents' station.
STATION_LEVELS = {Center.Level.COMMUNITY, Center.Level.STREET, Center.Level.DISTRICT}


def center_station(center, request):
    """The center's deliberation station: three queries whatever the data size.

    A street or the district with nothing resolved this year and no published meeting stays
    hidden; a community always shows it, since that is where residents raise issues.
    """
    if center.level not in STATION_LEVELS:
        return None
    station = selectors.station(center)
    if not (
        station.takes_issues or station.resolved_this_year or station.recent or station.meetings
    ):
        return None
    return {f.name: getattr(station, f.name) for f in fields(station)}
