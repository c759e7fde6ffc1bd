"""The sizes of the scale dataset: per-center ratios, the time window, and `split()`.

For `--centers 2000 --years 3`: 2,000 centers (80 streets, 95 park/building centers, 1,824
communities), 82,000 accounts, 54,000 activities with 300,000 occurrences, 1,000,000
registrations, 300,000 issues, 20,000 beneficiaries, 1,000,000 stock movements. Counts derived
from these (issue events, visits, donations...) depend on the seed; see `scale.generate`.
"""

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

#: One street per this many centers; the other centers hang under the streets.
STREET_EVERY = 25
#: One park or building center per this many centers under the streets; the rest are communities.
PARK_EVERY = 20
#: Resident accounts per center (one staff account per center besides).
RESIDENTS_PER_CENTER = 40
#: Per center and year: a weekly class (20 sessions), a fortnightly Saturday activity (12), the
#: monthly party day (12) and six one-off activities.
ACTIVITIES_PER_CENTER_YEAR = 9
OCCURRENCES_PER_CENTER_YEAR = 50
REGISTRATIONS_PER_CENTER_YEAR = Fraction(500, 3)
ISSUES_PER_CENTER_YEAR = 50
#: Beneficiaries live in communities; their visits follow the pairing's frequency.
BENEFICIARIES_PER_CENTER = 10
#: Stock movements at the aid stations (one per street and community).
MOVEMENTS_PER_CENTER_YEAR = Fraction(500, 3)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
YEAR_DAYS = 365
#: Activities run until this long after the anchor date (the upcoming calendar).
AHEAD = timedelta(days=91)


@dataclass(frozen=True)
class Plan:
    """The sizes `generate_scale_data` produces for a number of centers and years."""

    centers: int
    years: int

    @property
    def streets(self):
        return max(1, round(self.centers / STREET_EVERY))

    @property
    def parks_and_buildings(self):
        return (self.centers - 1 - self.streets) // PARK_EVERY

    @property
    def communities(self):
        return self.centers - 1 - self.streets - self.parks_and_buildings

    @property
    def users(self):
        return self.centers * (1 + RESIDENTS_PER_CENTER)

    @property
    def activities(self):
        return self.centers * self.years * ACTIVITIES_PER_CENTER_YEAR

    @property
    def occurrences(self):
        return self.centers * self.years * OCCURRENCES_PER_CENTER_YEAR

    @property
    def registrations(self):
        return round(self.centers * self.years * REGISTRATIONS_PER_CENTER_YEAR)

    @property
    def issues(self):
        return self.centers * self.years * ISSUES_PER_CENTER_YEAR

    @property
    def beneficiaries(self):
        return self.centers * BENEFICIARIES_PER_CENTER

    @property
    def movements(self):
        return round(self.centers * self.years * MOVEMENTS_PER_CENTER_YEAR)

    @property
    def stations(self):
        return self.streets + self.communities


def split(total, weights, caps=None):
    """`total` as integers proportional to `weights`, none above its cap; sums to `total`."""
    count = len(weights)
    caps = caps if caps is not None else [total] * count
    if total > sum(caps):
        raise ValueError(f"cannot place {total} within caps summing to {sum(caps)}")
    result = [0] * count
    active = [i for i in range(count) if caps[i] > 0]
    remaining = total
    while remaining:
        weight_sum = sum(weights[i] for i in active) or len(active)
        shares = {i: remaining * (weights[i] or 1) / weight_sum for i in active}
        given = 0
        for i in active:
            add = min(int(shares[i]), caps[i] - result[i])
            result[i] += add
            given += add
        if not given:
            # Only fractions left (each share below one): the largest fractions get one each.
            for i in sorted(active, key=lambda i: -shares[i])[:remaining]:
                result[i] += 1
                given += 1
        remaining -= given
        active = [i for i in active if result[i] < caps[i]]
    return result
