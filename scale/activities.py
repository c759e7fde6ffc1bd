"""Activities of the scale dataset: recurring and one-off, their occurrences and sign-ups."""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from activities.models import Activity, Occurrence, Registration
from scale import words
from scale.plan import DAY, HOUR, YEAR_DAYS, split

#: Sessions start at one of these times and last at most two hours, so a (day, slot) pair is
#: enough to tell whether two sessions in one room overlap.
SLOTS = [time(9, 0), time(14, 30), time(19, 0)]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
#: Sign-ups open this long before an occurrence.
SIGNUP_OPENS = timedelta(days=21)


@dataclass
class Series:
    """An activity to write: what it is and the days it meets (one day for a one-off)."""

    title: str
    category: str
    audience: str
    room_kinds: tuple | None
    capacity: int | None
    booked: bool
    days: list
    slot: int
    minutes: int
    rule: str = ""
    hours: Decimal = Decimal(0)
    place: str = ""


class ActivitiesPhase:
    """Part of `scale.generate.Generator`: uses its ids, writer tables, nodes and random streams."""

    def activities(self, advance):
        quotas = split(self.plan.registrations, [1] * len(self.nodes))
        for node, quota in zip(self.nodes, quotas, strict=True):
            self._center_activities(node, quota)
            advance()
            self.writer.maybe_flush()

    def _at(self, day, slot):
        return datetime.combine(day, SLOTS[slot], self.tz)

    def _pick_room(self, rng, node, kinds, busy, slots):
        """A room of `kinds` (any room if none fits the kind) free at every (day, slot)."""
        rooms = [room for room in node.rooms if room[1] in kinds] or list(node.rooms)
        rng.shuffle(rooms)
        for room in rooms:
            if not any((room[0], day, slot) in busy for day, slot in slots):
                busy.update((room[0], day, slot) for day, slot in slots)
                return room
        return None

    def _center_activities(self, node, registration_quota):
        rng = self.rng("activities", node.index)
        busy = set()
        sessions = []  # (activity row data, occurrence starts) for the sign-up pass
        for block in range(self.plan.years):
            block_start = (self.window_start + block * YEAR_DAYS * DAY).date()
            # A weekly class on a weekday: 20 sessions, booked, in a room.
            title, category, audience, kinds, (low, high) = rng.choice(words.WEEKLY_CLASSES)
            weekday, slot = rng.randrange(5), rng.choice([0, 1])
            first = block_start + timedelta(days=rng.randrange(YEAR_DAYS - 20 * 7 - 7))
            first += timedelta(days=(weekday - first.weekday()) % 7)
            specs = [
                Series(
                    title,
                    category,
                    audience,
                    kinds,
                    capacity=rng.randint(low, high),
                    booked=True,
                    days=[first + timedelta(weeks=i) for i in range(20)],
                    slot=slot,
                    minutes=90,
                    rule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[weekday]};COUNT=20",
                )
            ]
            # A fortnightly Saturday activity: 12 sessions.
            title, category, audience = rng.choice(words.FORTNIGHTLY)
            slot = rng.choice([0, 2])
            first = block_start + timedelta(days=rng.randrange(YEAR_DAYS - 12 * 14 - 7))
            first += timedelta(days=(5 - first.weekday()) % 7)
            booked = rng.random() < 0.5
            specs.append(
                Series(
                    title,
                    category,
                    audience,
                    ("sports", "meeting"),
                    capacity=rng.choice([None, rng.randint(30, 60)]) if booked else None,
                    booked=booked,
                    days=[first + timedelta(weeks=2 * i) for i in range(12)],
                    slot=slot,
                    minutes=120,
                    rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;COUNT=12",
                    place="社区广场",
                )
            )
            # The party day: the n-th Friday of 12 months, party members, no sign-up.
            nth = rng.randint(1, 3)
            month = block_start.replace(day=1) + 32 * DAY
            days = []
            for _ in range(12):
                month = month.replace(day=1)
                offset = (4 - month.weekday()) % 7
                days.append(month + timedelta(days=offset + 7 * (nth - 1)))
                month += 32 * DAY
            specs.append(
                Series(
                    "主题党日",
                    "party",
                    "party_members",
                    ("party_activity",),
                    capacity=None,
                    booked=False,
                    days=days,
                    slot=1,
                    minutes=90,
                    rule=f"FREQ=MONTHLY;BYDAY={nth}FR;COUNT=12",
                )
            )
            # Six one-off activities.
            for one in rng.sample(words.ONE_OFFS, 6):
                title, category, audience, capacity_range, hours, kinds, place = one
                day = block_start + timedelta(days=rng.randrange(YEAR_DAYS))
                capacity = rng.randint(*capacity_range) if capacity_range else None
                specs.append(
                    Series(
                        title,
                        category,
                        audience,
                        kinds,
                        capacity=capacity,
                        booked=capacity is not None,
                        days=[day],
                        minutes=rng.choice([60, 90, 120]),
                        slot=rng.randrange(3),
                        hours=hours,
                        place=place,
                    )
                )
            for spec in specs:
                sessions.append(self._activity(rng, node, busy, spec))

        # Sign-ups: the center's quota spread over its booked sessions by popularity.
        booked = [
            (activity, occurrence)
            for activity, occurrences in sessions
            if activity["booked"]
            for occurrence in occurrences
        ]
        caps, weights = [], []
        for activity, occurrence in booked:
            opens = max(occurrence["start"] - SIGNUP_OPENS, activity["created_at"])
            closes = min(occurrence["start"] - 2 * HOUR, self.now)
            occurrence["signup"] = (opens, closes)
            room_for = len(node.residents)
            if activity["capacity"]:
                room_for = min(room_for, activity["capacity"] + activity["capacity"] // 3 + 2)
            caps.append(room_for if closes > opens else 0)
            weights.append(activity["popularity"] * rng.uniform(0.6, 1.4))
        counts = split(registration_quota, weights, caps)
        for (_activity, occurrence), count in zip(booked, counts, strict=True):
            occurrence["registrations"] = count
        for activity, occurrences in sessions:
            for occurrence in occurrences:
                self._occurrence(rng, node, activity, occurrence)

    def _activity(self, rng, node, busy, spec):
        """Write one activity (its room free at every session); returns it and its sessions."""
        room = None
        if spec.room_kinds:
            room = self._pick_room(
                rng, node, spec.room_kinds, busy, [(day, spec.slot) for day in spec.days]
            )
        starts = [self._at(day, spec.slot) for day in spec.days]
        title, category, capacity, booked = spec.title, spec.category, spec.capacity, spec.booked
        activity_id = self.ids.take(Activity)
        created = min(starts[0] - rng.randint(7, 30) * DAY, self.now - rng.randint(1, 72) * HOUR)
        organizer = node.teams["volunteer"][0] if category == "volunteer" else None
        self.t_activity.add(
            (
                activity_id,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                node.id,
                title,
                f"{node.short}{title}，欢迎辖区居民参加。",
                category,
                spec.audience,
                room[0] if room else None,
                "" if room else (spec.place or "社区广场"),
                organizer,
                starts[0],
                spec.minutes,
                spec.rule,
                capacity,
                booked,
                spec.hours,
                rng.random() > 0.01,
                node.staff,
                created,
                created,
            )
        )
        activity = {
            "id": activity_id,
            "room": room[0] if room else None,
            "capacity": capacity,
            "booked": booked,
            "hours": spec.hours,
            "created_at": created,
            "popularity": rng.lognormvariate(0, 1.6),
        }
        occurrences = [
            {"start": start, "end": start + timedelta(minutes=spec.minutes), "registrations": 0}
            for start in starts
        ]
        return activity, occurrences

    def _occurrence(self, rng, node, activity, occurrence):
        start, end = occurrence["start"], occurrence["end"]
        capacity = activity["capacity"]
        occurrence_id = self.ids.take(Occurrence)
        cancelled = rng.random() < 0.02
        held = end <= self.now and not cancelled
        count = occurrence["registrations"]
        confirmed = attended = 0
        if count:
            confirmed, attended = self._registrations(
                rng, node, activity, occurrence_id, occurrence, count, held
            )
        summary, head_count, recorded_at = "", None, None
        if held and rng.random() < 0.7:
            recorded_at = end + rng.randint(1, 48) * HOUR
            if recorded_at <= self.now:
                summary = rng.choice(words.RECORD_SUMMARIES)
                head_count = attended + rng.randint(0, 5) if count else rng.randint(10, 60)
            else:
                recorded_at = None
        self.t_occurrence.add(
            (
                occurrence_id,
                activity["id"],
                start,
                start,
                end,
                activity["room"],
                capacity,
                confirmed,
                "cancelled" if cancelled else "scheduled",
                rng.choice(words.CANCEL_REASONS) if cancelled else "",
                summary,
                head_count,
                recorded_at,
            )
        )

    def _registrations(self, rng, node, activity, occurrence_id, occurrence, count, held):
        """Replay sign-ups and cancellations in time order, as the services would have.

        A full occurrence puts newcomers on the waiting list; a cancellation promotes the first
        in line. Returns the confirmed and attended counts.
        """
        opens, closes = occurrence["signup"]
        span = (closes - opens).total_seconds()
        capacity = activity["capacity"]
        users = rng.sample(node.residents, count)
        signed = sorted(opens + timedelta(seconds=int(rng.random() * span)) for _ in range(count))
        events = [(at, 1, i) for i, at in enumerate(signed)]
        for i, at in enumerate(signed):
            if rng.random() < 0.08:
                until = min(occurrence["start"], self.now)
                if until > at:
                    events.append((at + (until - at) * rng.random(), 0, i))
        events.sort()
        status = [""] * count
        promoted = [None] * count
        cancelled = [None] * count
        seated = 0
        waiting = []
        for at, kind, i in events:
            if kind == 1:
                if capacity is None or seated < capacity:
                    status[i] = "confirmed"
                    seated += 1
                else:
                    status[i] = "waitlisted"
                    waiting.append(i)
            else:
                if status[i] == "confirmed":
                    seated -= 1
                    if waiting:
                        first = waiting.pop(0)
                        status[first] = "confirmed"
                        promoted[first] = at
                        seated += 1
                else:
                    waiting.remove(i)
                status[i] = "cancelled"
                cancelled[i] = at
        first_id = self.ids.take(Registration, count)
        attended = 0
        start = occurrence["start"]
        hours = activity["hours"]
        zero = Decimal(0)
        add = self.t_registration.add
        for i in range(count):
            came = held and status[i] == "confirmed" and rng.random() < 0.85
            attended += came
            add(
                (
                    first_id + i,
                    occurrence_id,
                    users[i],
                    status[i],
                    signed[i],
                    promoted[i],
                    cancelled[i],
                    came,
                    start + timedelta(minutes=rng.randint(-15, 20)) if came else None,
                    hours if came else zero,
                )
            )
        return seated, attended
