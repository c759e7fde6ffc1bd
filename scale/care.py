"""Beneficiaries of the scale dataset, their pairings and visits, and the streets' help drives."""

from datetime import date, datetime, time

from assistance.models import Beneficiary, BeneficiaryType, HelpProgram, Pairing, Visit
from scale import words
from scale.plan import DAY, YEAR_DAYS, split


class CarePhase:
    """Part of `scale.generate.Generator`: uses its ids, writer tables, nodes and random streams."""

    def care(self, advance):
        communities = [node for node in self.nodes if node.level == "community"]
        shares = split(self.plan.beneficiaries, [1] * len(communities))
        quotas = dict(zip(communities, shares, strict=True))
        self.programs = {}
        for node in self.nodes:
            if node.level == "street":
                self._programs(node)
            elif node.level == "community":
                self._beneficiaries(node, quotas[node])
            advance()
            self.writer.maybe_flush()

    def _programs(self, street):
        """The street's two yearly drives (Spring Festival, Double Ninth) that visits belong to."""
        first, today = self.history_start.date(), self.now.date()
        programs = []
        for year in range(first.year, today.year + 1):
            for name, starts_on, ends_on in [
                (f"{year}年春节走访慰问", date(year, 1, 15), date(year, 2, 20)),
                (f"{year}年重阳节敬老慰问", date(year, 10, 1), date(year, 10, 31)),
            ]:
                if starts_on <= today and ends_on >= first:
                    program_id = self.ids.take(HelpProgram)
                    self.t_program.add(
                        (
                            program_id,
                            street.id,
                            name,
                            starts_on,
                            ends_on,
                            "为辖区困难群众送去慰问。",
                        )
                    )
                    programs.append((starts_on, ends_on, program_id))
        self.programs[street.id] = programs

    def _beneficiaries(self, node, count):
        rng = self.rng("care", node.index)
        first_day, today = self.history_start.date(), self.now.date()
        consent_span = (today - first_day).days + YEAR_DAYS - 30
        programs = self.programs.get(node.parent.id, [])
        frequencies = {"high": "weekly", "medium": "monthly", "low": "quarterly"}
        jitter = {"high": 1, "medium": 5, "low": 10}
        types = list(BeneficiaryType.Type.values)
        for _ in range(count):
            beneficiary_id = self.ids.take(Beneficiary)
            node.beneficiaries.append(beneficiary_id)
            tier = rng.choices(["high", "medium", "low"], [1, 5, 4])[0]
            birth_year = rng.randint(1935, 1975)
            consent_on = first_day - YEAR_DAYS * DAY + rng.randrange(consent_span) * DAY
            roll = rng.random()
            status, ended_on, withdrawn = "active", None, None
            last_day = today - DAY
            if roll > 0.85 and (today - consent_on).days > 100:
                ended = consent_on + rng.randint(90, (today - consent_on).days - 1) * DAY
                last_day = ended
                if roll < 0.9:
                    status = "paused"
                else:
                    status, ended_on = "closed", ended
                    withdrawn = ended if rng.random() < 0.2 else None
            guardian = f"测试家属{beneficiary_id}" if rng.random() < 0.5 else ""
            created = datetime.combine(consent_on, time(10, 0), self.tz)
            self.t_beneficiary.add(
                (
                    beneficiary_id,
                    node.id,
                    f"测试帮扶对象{beneficiary_id}",
                    rng.choice("fm"),
                    birth_year,
                    f"1993{beneficiary_id:07d}" if rng.random() < 0.8 else None,
                    f"990000{birth_year}0101{beneficiary_id % 1000:03d}X"
                    if rng.random() < 0.5
                    else None,
                    f"测试市测试区{node.short}测试小区{rng.randint(1, 30)}号楼"
                    f"{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室",
                    tier,
                    rng.choice(words.BENEFICIARY_NEEDS),
                    rng.choice(words.HEALTH_NOTES),
                    guardian,
                    f"1994{beneficiary_id:07d}" if guardian else None,
                    "用于社区结对帮扶、走访慰问和物资救助",
                    consent_on,
                    withdrawn,
                    status,
                    created,
                    datetime.combine(ended_on, time(10, 0), self.tz) if ended_on else created,
                )
            )
            for kind in rng.sample(types, rng.randint(1, 2)):
                self.t_btype.add((self.ids.take(BeneficiaryType), beneficiary_id, kind))

            pairing_id = self.ids.take(Pairing)
            started_on = consent_on + rng.randint(1, 14) * DAY
            helper_user = helper_team = None
            if rng.random() < 0.7:
                offset = rng.randrange(len(node.residents))
                helper_user = node.residents[offset]
                helper_name = f"测试居民{node.resident_numbers[offset]}"
            else:
                helper_team, helper_name = node.teams["partner"]
            self.t_pairing.add(
                (
                    pairing_id,
                    beneficiary_id,
                    helper_user,
                    helper_team,
                    started_on,
                    ended_on,
                    frequencies[tier],
                    "",
                    datetime.combine(started_on, time(10, 0), self.tz),
                )
            )
            step = {"high": 7, "medium": 30, "low": 90}[tier]
            day = started_on + rng.randint(1, step) * DAY
            while day <= last_day:
                if day >= first_day and rng.random() > 0.08:
                    self._visit(rng, node, beneficiary_id, pairing_id, helper_name, day, programs)
                day += (step + rng.randint(-jitter[tier], jitter[tier])) * DAY

    def _visit(self, rng, node, beneficiary_id, pairing_id, helper_name, day, programs):
        program = next((p for starts, ends, p in programs if starts <= day <= ends), None)
        if program and rng.random() < 0.6:
            kind, items = "holiday", rng.choice(words.VISIT_ITEMS)
        else:
            program = None
            kind = rng.choices(
                ["home", "company", "material", "health", "repair", "referral"],
                [50, 20, 10, 10, 5, 5],
            )[0]
            items = rng.choice(words.VISIT_ITEMS) if kind == "material" else ""
        self.t_visit.add(
            (
                self.ids.take(Visit),
                beneficiary_id,
                pairing_id,
                program,
                day,
                kind,
                helper_name,
                rng.choice(words.VISIT_FINDINGS),
                items,
                "下次走访时复查血压。" if rng.random() < 0.1 else "",
                node.staff,
                datetime.combine(day, time(17, 0), self.tz),
            )
        )
