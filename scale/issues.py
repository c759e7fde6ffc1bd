"""Issues of the scale dataset, walked through `TRANSITIONS` with their events and meetings."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from deliberation.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AgendaItem,
    Issue,
    IssueEvent,
    Meeting,
    MeetingParticipant,
)
from deliberation.services import next_working_day
from scale import words
from scale.plan import DAY, HOUR, split

SATISFACTION_LABELS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}


class IssuesPhase:
    """Part of `scale.generate.Generator`: uses its ids, writer tables, nodes and random streams."""

    def issues(self, advance):
        weights = [1.0 if node.level == "community" else 0.5 for node in self.nodes]
        quotas = split(self.plan.issues, weights)
        self.meetings = {}
        for node, quota in zip(self.nodes, quotas, strict=True):
            self._center_issues(node, quota)
            advance()
            self.writer.maybe_flush()

    def _code(self, rng):
        while True:
            code = "".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _meeting(self, rng, node, after):
        """The center's monthly consultation meeting (the 25th, 14:30) next after `after`."""
        local = timezone.localtime(after, self.tz)
        day = local.date().replace(day=25)
        if self._at(day, 1) <= after:
            day = (day.replace(day=1) + 32 * DAY).replace(day=25)
        key = (node.id, day)
        if key not in self.meetings:
            held = self._at(day, 1)
            meeting_id = self.ids.take(Meeting)
            published = held + 2 * DAY if held + 2 * DAY <= self.now else None
            self.t_meeting.add(
                (
                    meeting_id,
                    node.id,
                    f"{day.year}年{day.month}月民主协商议事会",
                    held,
                    "多功能会议室" if node.level != "community" else "党员活动室",
                    "围绕居民反映的问题逐项协商，形成处理意见并公示。" if published else "",
                    published,
                    node.staff,
                    held - 7 * DAY,
                )
            )
            for role, low, high in [
                ("party_member", 3, 8),
                ("resident_rep", 4, 12),
                ("grid_worker", 1, 3),
                ("staff", 1, 3),
            ]:
                self.t_participant.add(
                    (
                        self.ids.take(MeetingParticipant),
                        meeting_id,
                        role,
                        "",
                        rng.randint(low, high),
                    )
                )
            self.meetings[key] = (meeting_id, held)
        return self.meetings[key]

    def _center_issues(self, node, quota):
        rng = self.rng("issues", node.index)
        span = int((self.now - self.history_start).total_seconds()) - 3600
        times = sorted(
            self.history_start + timedelta(seconds=rng.randrange(span)) for _ in range(quota)
        )
        targets = []  # earlier issues here that another may be merged into
        for created in times:
            issue_id = self.ids.take(Issue)
            if self._issue(rng, node, issue_id, created, targets):
                targets.append(issue_id)

    def _issue(self, rng, node, issue_id, created, targets):
        """One issue and its history; returns whether another issue may be merged into it."""
        category, title = rng.choice(words.ISSUE_TITLES)
        place = f"测试小区{rng.randint(1, 30)}号楼"
        roll = rng.random()
        submitted_by, name, phone, anonymous = None, "", "", False
        if roll < 0.3:
            offset = rng.randrange(len(node.residents))
            submitted_by = node.residents[offset]
            number = node.resident_numbers[offset]
            name, phone = f"测试居民{number}", f"1991{number:07d}"
        elif roll < 0.9:
            name, phone = f"测试居民{rng.randint(1, 9999999)}", f"1992{rng.randint(0, 9999999):07d}"
        else:
            anonymous = True
            phone = f"1992{rng.randint(0, 9999999):07d}" if rng.random() < 0.5 else ""
        story = Story(node, created, self.now)
        story.move(
            created,
            "submitted",
            actor=submitted_by,
            kind="submit",
            public=f"已收到您反映的问题，{node.short}将在一个工作日内受理。",
        )
        # Only a submitter known by account or phone can rate the result.
        stayed = self._walk(rng, story, issue_id, targets, submitted_by, bool(phone))
        fields = story.fields
        self.t_issue.add(
            (
                issue_id,
                self._code(rng),
                story.center.id,
                title.format(place=place),
                rng.choice(words.ISSUE_DESCRIPTIONS),
                category,
                place,
                name,
                phone,
                anonymous,
                submitted_by,
                story.status,
                fields.get("assigned_to"),
                created,
                story.response_due,
                fields.get("accepted_at"),
                fields.get("due_date"),
                fields.get("resolved_at"),
                fields.get("resolution", ""),
                fields.get("public_reason", ""),
                fields.get("merged_into"),
                fields.get("satisfaction", ""),
                fields.get("rating_comment", ""),
                fields.get("rated_at"),
                rng.random() < 0.9,
                story.updated_at,
            )
        )
        first_event = self.ids.take(IssueEvent, len(story.events))
        for i, event in enumerate(story.events):
            self.t_event.add((first_event + i, issue_id, *event))
        return stayed and story.status not in ("merged", "rejected")

    def _walk(self, rng, story, issue_id, targets, rater, has_phone):
        """Move the issue along the workflow until the anchor date; False if it was escalated.

        Most issues are accepted within the working day, handled (some after a consultation
        meeting) and resolved by their due date; a few are rejected, merged into an earlier one,
        escalated to the parent center, or reopened after an unsatisfied rating.
        """
        created = story.updated_at
        roll = rng.random()
        if roll < 0.04:
            reason = rng.choice(words.REJECT_REASONS)
            if story.move(created + rng.randint(1, 20) * HOUR, "rejected", public=reason):
                story.fields["public_reason"] = reason
            return True
        if roll < 0.07 and targets:
            target = rng.choice(targets[-20:])
            at = created + rng.randint(1, 20) * HOUR
            if story.move(at, "merged", public="与同类议题合并办理。"):
                story.fields["merged_into"] = target
            return True
        stayed = True
        if roll < 0.12 and story.center.parent is not None:
            at = created + rng.randint(1, 20) * HOUR
            child, parent = story.center, story.center.parent
            if at > self.now:
                return True
            # As the service does: the issue moves up and the parent has a working day.
            story.center, story.response_due = parent, next_working_day(at)
            story.move(at, "escalated", actor=child.staff, public=f"已上报{parent.short}办理。")
            stayed, created = False, at
        center = story.center
        due = story.response_due
        if rng.random() < 0.88:
            accepted = created + (due - created) * rng.uniform(0.05, 0.95)
        else:
            accepted = due + rng.randint(1, 72) * HOUR
        if not story.move(accepted, "accepted", public="已受理，将尽快办理。"):
            return stayed
        story.fields["accepted_at"] = accepted
        due_date = timezone.localtime(accepted, self.tz).date() + rng.choice([7, 10, 15, 30]) * DAY
        story.fields["due_date"] = due_date
        if rng.random() < 0.25 and story.move(
            accepted + timedelta(minutes=rng.randint(5, 50)),
            "",
            kind="assign",
            internal=f"指派给 {center.staff_name}",
        ):
            story.fields["assigned_to"] = center.staff
        at = accepted
        if rng.random() < 0.2:
            at += rng.randint(1, 72) * HOUR
            if not story.move(at, "deliberating", public="提交居民议事会协商。"):
                return stayed
            meeting_id, held = self._meeting(rng, center, at)
            decision = "经协商，同意按居民多数意见办理。" if held <= self.now else ""
            self.t_agenda.add((self.ids.take(AgendaItem), meeting_id, issue_id, decision))
            at = held + rng.randint(24, 72) * HOUR
        else:
            at += rng.randint(1, 48) * HOUR
        deadline = datetime.combine(due_date, time(18, 0), self.tz)
        for attempt in range(2):
            if not story.move(at, "in_progress", public="正在办理。"):
                return stayed
            if rng.random() < 0.85 and deadline > at:
                resolved = at + (deadline - at) * rng.uniform(0.2, 1.0)
            else:
                resolved = max(at, deadline) + rng.randint(1, 10) * DAY
            if rng.random() < 0.3:
                progress = at + (resolved - at) * rng.uniform(0.2, 0.8)
                story.move(progress, "", kind="progress", public=rng.choice(words.PROGRESS_NOTES))
            resolution = rng.choice(words.RESOLUTIONS)
            if not story.move(resolved, "resolved", public=resolution):
                return stayed
            story.fields.update(resolution=resolution, resolved_at=resolved)
            if not (rater or has_phone) or rng.random() < 0.3:
                return stayed
            at = resolved + rng.randint(1, 168) * HOUR
            roll = rng.random()
            if attempt == 0 and roll < 0.08:
                satisfaction, to, comment = "unsatisfied", "reopened", "问题没有彻底解决。"
            else:
                satisfaction, to, comment = "satisfied" if roll < 0.8 else "basic", "closed", ""
            label = SATISFACTION_LABELS[satisfaction]
            if not story.move(
                at, to, actor=rater, kind="rating", public=f"居民评价：{label}", internal=comment
            ):
                return stayed
            story.fields.update(satisfaction=satisfaction, rating_comment=comment, rated_at=at)
            if to == "closed":
                break
            at += rng.randint(2, 48) * HOUR
        return stayed


#: `Story.move(actor=STAFF)`: the event's actor is the staff member of the issue's center.
STAFF = object()


class Story:
    """An issue's changing fields and its events, as the workflow moves it."""

    def __init__(self, node, created, now):
        self.center = node
        self.status = ""
        self.response_due = next_working_day(created)
        self.updated_at = created
        self.now = now
        self.fields = {}
        self.events = []

    def move(self, at, to, *, actor=STAFF, kind="transition", public="", internal=""):
        """Record a step at `at`; False, and nothing recorded, when `at` is after the anchor.

        `kind` is "submit" (the first event), "transition" or "rating" (both change the status,
        as in TRANSITIONS), or "assign"/"progress" (no status change).
        """
        if at > self.now:
            return False
        changes = kind in ("submit", "transition", "rating")
        from_status = self.status if changes else ""
        if changes:
            self.status = to
        self.events.append(
            (
                "transition" if kind == "submit" else kind,
                self.center.staff if actor is STAFF else actor,
                from_status,
                to if changes else "",
                self.center.id,
                public,
                internal,
                at,
            )
        )
        self.updated_at = at
        return True
