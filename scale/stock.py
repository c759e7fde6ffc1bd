"""The aid stations of the scale dataset and their stock ledger, simulated street by street."""

from bisect import bisect_left
from datetime import timedelta

from django.utils import timezone

from assistance.demo import ITEMS, NOT_DISINFECTED, WISHES
from assistance.models import (
    AidRequest,
    AidRequestLine,
    AidStation,
    Distribution,
    DistributionLine,
    Donation,
    DonationLine,
    GoodsOffer,
    Item,
    StockLevel,
    StockMovement,
    WishListItem,
)
from scale import words
from scale.plan import DAY, HOUR, split


class StockPhase:
    """Part of `scale.generate.Generator`: uses its ids, writer tables, nodes and random streams."""

    def stock(self, advance):
        existing = {
            (name, unit): (pk, category)
            for pk, name, unit, category in Item.objects.values_list(
                "pk", "name", "unit", "category"
            )
        }
        self.items = []
        for name, unit, category in ITEMS:
            if (name, unit) in existing:
                pk, category = existing[(name, unit)]
            else:
                pk = self.ids.take(Item)
                self.t_item.add((pk, category, name, unit))
            self.items.append((pk, name, category))
        stations = [node for node in self.nodes if node.level in ("street", "community")]
        weights = [3 if node.level == "street" else 1 for node in stations]
        quotas = dict(zip(stations, split(self.plan.movements, weights), strict=True))
        wishes = [i for i, (_pk, name, _c) in enumerate(self.items) if name in WISHES]
        for node in stations:
            node.station = self.ids.take(AidStation)
            self.t_station.add(
                (
                    node.station,
                    node.id,
                    f"{node.short}党群爱心援助站",
                    "接收爱心人士捐赠的闲置物品，经消毒整理后发放给辖区困难群众。",
                    "衣物请洗净叠好；食品须在保质期内；大件物品请先电话联系。",
                    "每周六 9:00–11:30",
                    True,
                )
            )
            for i in self.rng("wishes", node.index).sample(wishes, 3):
                self.t_wish.add((self.ids.take(WishListItem), node.station, self.items[i][0], ""))
        advance(
            len(self.nodes) - sum(1 + len(street.children) for street in self.nodes[0].children)
        )
        for street in self.nodes[0].children:
            group = [node for node in [street, *street.children] if node.station]
            self._ledger(street, group, [quotas[node] for node in group])
            for node in group:
                self._requests_and_offers(node)
            advance(1 + len(street.children))
            self.writer.maybe_flush()

    def _ledger(self, street, group, quotas):
        """Simulate a street's stations in one timeline, so transfers between them stay exact.

        Operations are drawn in order with the running levels kept per station and item: a
        distribution, an adjustment, a reversal or a transfer takes only what is in stock.
        Their times are drawn afterwards, sorted, so each `balance_after` is the running level.
        """
        rng = self.rng("stock", street.index)
        cum, total = [], 0
        for quota in quotas:
            total += quota
            cum.append(total)
        item_count = len(self.items)
        levels = {}
        ops = []
        donated = []  # [movement id, station, item, quantity] of donation lines, for reversals
        left = total
        take = self.ids.take
        while left > 0:
            s = bisect_left(cum, rng.random() * total + 1e-9)
            s = min(s, len(group) - 1)
            roll = rng.random()
            if roll < 0.03 and left >= 2 and len(group) > 1:
                stocked = [i for i in range(item_count) if levels.get((s, i), 0) > 0]
                if stocked:
                    i = rng.choice(stocked)
                    quantity = rng.randint(1, min(20, levels[(s, i)]))
                    target = rng.choice([x for x in range(len(group)) if x != s])
                    levels[(s, i)] -= quantity
                    levels[(target, i)] = levels.get((target, i), 0) + quantity
                    out_id = take(StockMovement, 2)
                    balances = levels[(s, i)], levels[(target, i)]
                    ops.append(("transfer", s, i, quantity, out_id, target, *balances))
                    left -= 2
                    continue
            if roll < 0.05 and donated:
                line = rng.choice(donated[-30:])
                movement_id, station, i, quantity = line
                if quantity and levels[(station, i)] >= quantity:
                    line[3] = 0  # reversed once only
                    levels[(station, i)] -= quantity
                    balance = levels[(station, i)]
                    ops.append(
                        (
                            "reversal",
                            station,
                            i,
                            -quantity,
                            take(StockMovement),
                            balance,
                            movement_id,
                        )
                    )
                    left -= 1
                    continue
            if roll < 0.10:
                i = rng.randrange(item_count)
                delta = rng.choice([-3, -2, -1, 1, 2, 3])
                if levels.get((s, i), 0) + delta >= 0:
                    levels[(s, i)] = levels.get((s, i), 0) + delta
                    ops.append(("adjustment", s, i, delta, take(StockMovement), levels[(s, i)]))
                    left -= 1
                    continue
            if roll >= 0.45:
                stocked = [i for i in range(item_count) if levels.get((s, i), 0) > 0]
                if stocked:
                    lines = []
                    for i in rng.sample(stocked, min(rng.randint(1, 3), left, len(stocked))):
                        quantity = rng.randint(1, min(10, levels[(s, i)]))
                        levels[(s, i)] -= quantity
                        lines.append((i, quantity, take(StockMovement), levels[(s, i)]))
                    ops.append(("distribution", s, lines))
                    left -= len(lines)
                    continue
            lines = []
            for i in rng.sample(range(item_count), min(rng.randint(1, 4), left)):
                quantity = rng.randint(1, 20)
                levels[(s, i)] = levels.get((s, i), 0) + quantity
                movement_id = take(StockMovement)
                lines.append((i, quantity, movement_id, levels[(s, i)]))
                donated.append([movement_id, s, i, quantity])
            ops.append(("donation", s, lines))
            left -= len(lines)

        span = int((self.now - self.history_start).total_seconds()) - 3600
        times = sorted(self.history_start + timedelta(seconds=rng.randrange(span)) for _ in ops)
        for op, at in zip(ops, times, strict=True):
            getattr(self, f"_stock_{op[0]}")(rng, group, at, *op[1:])
        for (s, i), quantity in sorted(levels.items()):
            self.t_level.add(
                (self.ids.take(StockLevel), group[s].station, self.items[i][0], quantity)
            )

    def _movement(self, movement_id, node, i, kind, quantity, balance, reason, at, **links):
        self.t_movement.add(
            (
                movement_id,
                node.station,
                self.items[i][0],
                kind,
                quantity,
                balance,
                reason,
                node.staff,
                links.get("donation"),
                links.get("distribution"),
                links.get("reverses"),
                links.get("counterpart"),
                at,
            )
        )

    def _stock_donation(self, rng, group, at, s, lines):
        node = group[s]
        roll = rng.random()
        if roll < 0.3:
            donor, anonymous = "", True
        elif roll < 0.7:
            donor, anonymous = f"{rng.choice(words.DONOR_UNITS)}{rng.randint(1, 200)}", False
        else:
            donor, anonymous = f"测试居民{rng.randint(1, 9999999)}", False
        donation_id = self.ids.take(Donation)
        self.t_donation.add(
            (
                donation_id,
                node.station,
                donor,
                anonymous,
                timezone.localtime(at, self.tz).date(),
                "",
                node.staff,
                at,
            )
        )
        reason = f"接收捐赠：{donor or '爱心人士'}"
        for i, quantity, movement_id, balance in lines:
            disinfected = self.items[i][2] not in NOT_DISINFECTED
            condition = rng.choice(["new", "good", "good", "fair"])
            self.t_donation_line.add(
                (
                    self.ids.take(DonationLine),
                    donation_id,
                    self.items[i][0],
                    quantity,
                    condition,
                    disinfected,
                )
            )
            self._movement(
                movement_id,
                node,
                i,
                "donation",
                quantity,
                balance,
                reason,
                at,
                donation=donation_id,
            )

    def _stock_distribution(self, rng, group, at, s, lines):
        node = group[s]
        day = timezone.localtime(at, self.tz).date()
        distribution_id = self.ids.take(Distribution)
        beneficiary, recipient, request = None, "", None
        if node.beneficiaries and rng.random() < 0.5:
            beneficiary = rng.choice(node.beneficiaries)
        else:
            recipient = f"测试居民{rng.randint(1, 9999999)}"
        if rng.random() < 0.3:
            request = self.ids.take(AidRequest)
            asked = at - rng.randint(24, 168) * HOUR
            self.t_request.add(
                (
                    request,
                    node.station,
                    beneficiary,
                    recipient,
                    f"1995{rng.randint(0, 9999999):07d}" if recipient else None,
                    "家庭生活困难，申请领取生活物资。",
                    "、".join(self.items[i][1] for i, *_rest in lines),
                    "fulfilled",
                    "",
                    node.staff,
                    asked + (at - asked) * rng.uniform(0.1, 0.9),
                    node.staff if beneficiary else None,
                    asked,
                )
            )
            for i, quantity, *_rest in lines:
                self.t_request_line.add(
                    (self.ids.take(AidRequestLine), request, self.items[i][0], quantity)
                )
        self.t_distribution.add(
            (
                distribution_id,
                node.station,
                request,
                beneficiary,
                recipient,
                day,
                "",
                node.staff,
                at,
            )
        )
        reason = f"物资发放 FF{day:%Y%m%d}-{distribution_id:05d}"
        for i, quantity, movement_id, balance in lines:
            self.t_distribution_line.add(
                (self.ids.take(DistributionLine), distribution_id, self.items[i][0], quantity)
            )
            self._movement(
                movement_id,
                node,
                i,
                "distribution",
                -quantity,
                balance,
                reason,
                at,
                distribution=distribution_id,
            )

    def _stock_adjustment(self, rng, group, at, s, i, delta, movement_id, balance):
        self._movement(movement_id, group[s], i, "adjustment", delta, balance, "盘点调整", at)

    def _stock_reversal(self, rng, group, at, s, i, quantity, movement_id, balance, original):
        reason = "冲正：登记数量有误"
        self._movement(
            movement_id, group[s], i, "reversal", quantity, balance, reason, at, reverses=original
        )

    def _stock_transfer(self, rng, group, at, s, i, quantity, out_id, t, out_balance, in_balance):
        source, target = group[s], group[t]
        reason = f"调拨：{source.short}支援{target.short}"
        self._movement(
            out_id,
            source,
            i,
            "transfer_out",
            -quantity,
            out_balance,
            reason,
            at,
            counterpart=out_id + 1,
        )
        self._movement(
            out_id + 1,
            target,
            i,
            "transfer_in",
            quantity,
            in_balance,
            reason,
            at,
            counterpart=out_id,
        )

    def _requests_and_offers(self, node):
        """Requests still waiting or decided lately, and residents' offers of goods."""
        rng = self.rng("requests", node.index)
        for status in rng.sample(["pending", "pending", "approved", "declined"], rng.randint(1, 3)):
            request = self.ids.take(AidRequest)
            asked = self.now - rng.randint(1, 30 * 24) * HOUR
            decided = status != "pending"
            number = rng.randint(1, 9999999)
            i = rng.randrange(len(self.items))
            self.t_request.add(
                (
                    request,
                    node.station,
                    None,
                    f"测试居民{number}",
                    f"1995{number:07d}",
                    "家中老人行动不便，冬季需要保暖物资。",
                    self.items[i][1],
                    status,
                    "库存暂缺，已登记，到货后联系您。" if status == "declined" else "",
                    node.staff if decided else None,
                    asked + (self.now - asked) * 0.5 if decided else None,
                    None,
                    asked,
                )
            )
            self.t_request_line.add(
                (self.ids.take(AidRequestLine), request, self.items[i][0], rng.randint(1, 3))
            )
        span = int((self.now - self.history_start).total_seconds())
        for _ in range(self.plan.years * rng.randint(1, 2)):
            at = self.history_start + timedelta(seconds=rng.randrange(span))
            recent = self.now - at < 30 * DAY
            number = rng.randint(1, 9999999)
            self.t_offer.add(
                (
                    self.ids.take(GoodsOffer),
                    node.station,
                    f"测试居民{number}",
                    f"1996{number:07d}",
                    rng.choice(words.GOODS_OFFER_ITEMS),
                    rng.choice(["new", "contacted"] if recent else ["received", "closed"]),
                    at,
                )
            )
