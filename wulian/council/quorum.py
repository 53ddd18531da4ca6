"""Quorum and decision rules as data, and the pure functions that apply them.

A `Rule` names who counts for attendance (adults, households, representatives, owners), the
share that must attend, the share of the decision base that must agree, and what a tie does.
The functions take plain numbers and return an `Outcome` that carries the numbers and a
sentence for people ("需过半数户代表出席：现 41/80 户，已达法定人数"). No database here.

The rules Chinese residents' self-government uses:

- 城市居民委员会组织法 art. 10 (residents' meeting): more than half of the adults, or a
  representative of more than half of the households, or representatives of at least two
  thirds of the resident groups attend; a decision passes with more than half of those present.
- 民法典 art. 278 (owners' matters): owners holding at least 2/3 of the floor area and at least
  2/3 of the owners take part; ordinary matters pass with more than half of the participating
  area and of the participating owners (双过半); the special matters (maintenance fund,
  rebuilding, change of use of common parts) need at least 3/4 of both. "以上" in Chinese law
  includes the number itself (民法典 art. 1259), "过半数" does not.
- a council's own representatives: more than half of them attend, more than half of those
  present decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

Number = int | Decimal | Fraction


@dataclass(frozen=True)
class Threshold:
    """A share of a whole: "more than" (strict) or "at least" the fraction."""

    fraction: Fraction
    strict: bool

    def met(self, part: Number, whole: Number) -> bool:
        if whole <= 0:
            return False
        share = Fraction(part) / Fraction(whole)
        return share > self.fraction if self.strict else share >= self.fraction

    def needed(self, whole: Number) -> Fraction:
        """The smallest whole number of heads (or the area, exactly) that meets it."""
        return self.fraction * Fraction(whole)

    def minimum_count(self, whole: int) -> int:
        """The least whole count that meets the threshold of `whole` (0 wins nothing)."""
        need = self.fraction * whole
        if self.strict:
            return int(need) + 1
        return int(need) if need == int(need) else int(need) + 1

    def words(self) -> str:
        if self.fraction == Fraction(1, 2) and self.strict:
            return _("more than half")
        if self.fraction == Fraction(2, 3) and not self.strict:
            return _("at least two thirds")
        if self.fraction == Fraction(3, 4) and not self.strict:
            return _("at least three quarters")
        if self.strict:
            return _("more than %(share)s") % {"share": str(self.fraction)}
        return _("at least %(share)s") % {"share": str(self.fraction)}


MORE_THAN_HALF = Threshold(Fraction(1, 2), strict=True)
TWO_THIRDS = Threshold(Fraction(2, 3), strict=False)
THREE_QUARTERS = Threshold(Fraction(3, 4), strict=False)


@dataclass(frozen=True)
class Rule:
    key: str
    #: who counts at the door: "adults", "households", "groups", "representatives", "owners"
    base: str
    attendance: Threshold
    decision: Threshold
    #: the decision counts by head and, for owners' matters, by floor area too
    by_area: bool = False
    #: what an exact tie does: "fails" (a tie is not a majority)
    tie: str = "fails"
    #: the law the rule comes from, for the explanation
    source: str = ""

    @property
    def counts_households(self) -> bool:
        return self.base in {"households", "owners"}


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            "residents_adults",
            "adults",
            MORE_THAN_HALF,
            MORE_THAN_HALF,
            source="居委会组织法第十条",
        ),
        Rule(
            "residents_households",
            "households",
            MORE_THAN_HALF,
            MORE_THAN_HALF,
            source="居委会组织法第十条",
        ),
        Rule("residents_groups", "groups", TWO_THIRDS, MORE_THAN_HALF, source="居委会组织法第十条"),
        Rule(
            "owners_ordinary",
            "owners",
            TWO_THIRDS,
            MORE_THAN_HALF,
            by_area=True,
            source="民法典第二百七十八条",
        ),
        Rule(
            "owners_special",
            "owners",
            TWO_THIRDS,
            THREE_QUARTERS,
            by_area=True,
            source="民法典第二百七十八条",
        ),
        Rule("representatives", "representatives", MORE_THAN_HALF, MORE_THAN_HALF),
    )
}
# The rules a meeting can be held under (groups are not modelled yet).
MEETING_RULES = ("residents_adults", "residents_households", "owners_ordinary", "representatives")


def rule_for(key: str, *, special: bool = False) -> Rule:
    """The rule of a meeting; a special matter at an owners' meeting needs 3/4."""
    if special and RULES[key].base == "owners":
        return RULES["owners_special"]
    return RULES[key]


def rule_label(key: str) -> str:
    return {
        "residents_adults": _("Residents' meeting: more than half of the adults"),
        "residents_households": _("Residents' meeting: more than half of the households"),
        "residents_groups": _("Residents' meeting: two thirds of the resident groups"),
        "owners_ordinary": _("Owners' matters: 2/3 of area and owners take part, 双过半 decides"),
        "owners_special": _("Owners' special matters: 2/3 take part, 3/4 of both decide"),
        "representatives": _("Neighbour representatives: simple majority"),
    }[key]


def _unit_words(base: str) -> tuple[str, str]:
    """(who, counter) for the sentence: ("户代表", "户")."""
    return {
        "adults": (_("adult residents"), pgettext("counter", "people")),
        "households": (_("household representatives"), pgettext("counter", "households")),
        "groups": (_("resident groups"), pgettext("counter", "groups")),
        "representatives": (_("neighbour representatives"), pgettext("counter", "people")),
        "owners": (_("owners"), pgettext("counter", "households")),
    }[base]


def _area(value: Number) -> str:
    return f"{Decimal(str(float(value))).quantize(Decimal('0.01'))}"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    explanation: str
    numbers: Mapping[str, object] = field(default_factory=dict)
    chosen: tuple[str, ...] = ()


def quorum(
    rule: Rule,
    present: int,
    total: int,
    *,
    present_area: Number = 0,
    total_area: Number = 0,
) -> Outcome:
    """Whether enough attend, with the numbers and a sentence."""
    who, counter = _unit_words(rule.base)
    heads = rule.attendance.met(present, total)
    ok = heads and (not rule.by_area or rule.attendance.met(present_area, total_area))
    verdict = _("quorum reached") if ok else _("quorum not reached")
    text = _(
        "%(share)s of %(who)s must attend: %(present)s/%(total)s %(counter)s now, %(verdict)s"
    ) % {
        "share": rule.attendance.words(),
        "who": who,
        "present": present,
        "total": total,
        "counter": counter,
        "verdict": verdict,
    }
    numbers: dict[str, object] = {"present": present, "total": total}
    if rule.by_area:
        text += _("; floor area %(present)s/%(total)s m²") % {
            "present": _area(present_area),
            "total": _area(total_area),
        }
        numbers.update(present_area=_area(present_area), total_area=_area(total_area))
    return Outcome(ok, text, {**numbers, "threshold": rule.attendance.words()})


@dataclass(frozen=True)
class Tally:
    """What was counted for a motion: heads per choice and, for owners, area per choice."""

    counts: Mapping[str, int]
    base: int
    areas: Mapping[str, Number] = field(default_factory=dict)
    base_area: Number = 0


def decide_yes_no(rule: Rule, tally: Tally) -> Outcome:
    """Yes/no/abstain: yes must reach the rule's share of the base (abstaining does not help)."""
    yes = tally.counts.get("yes", 0)
    no = tally.counts.get("no", 0)
    passed = rule.decision.met(yes, tally.base)
    if rule.by_area:
        passed = passed and rule.decision.met(tally.areas.get("yes", 0), tally.base_area)
    text = _(
        "%(share)s of the %(base)s must agree: %(yes)s in favour, %(no)s against, "
        "%(abstain)s abstaining"
    ) % {
        "share": rule.decision.words(),
        "base": tally.base,
        "yes": yes,
        "no": no,
        "abstain": tally.counts.get("abstain", 0),
    }
    if rule.by_area:
        text += _("; area in favour %(yes)s of %(base)s m²") % {
            "yes": _area(tally.areas.get("yes", 0)),
            "base": _area(tally.base_area),
        }
    if not passed and yes * 2 == tally.base and not rule.by_area:
        text += _(" (a tie is not a majority)")
    text += "，" + (_("passed") if passed else _("not passed"))
    return Outcome(passed, text, {"yes": yes, "no": no, "base": tally.base, "passed": passed})


def decide_choices(rule: Rule, tally: Tally, options: Sequence[str], k: int) -> Outcome:
    """One of N (k=1) or up to k of N: the options reaching the rule's share, most votes first;
    a tie at the last place fails (no one is chosen by lot)."""
    ranked = sorted(options, key=lambda option: -tally.counts.get(option, 0))
    reaching = [
        option
        for option in ranked
        if rule.decision.met(tally.counts.get(option, 0), tally.base)
        and (not rule.by_area or rule.decision.met(tally.areas.get(option, 0), tally.base_area))
    ]
    chosen = reaching[:k]
    tied = False
    if len(reaching) > k:
        last = tally.counts.get(chosen[-1], 0)
        if tally.counts.get(reaching[k], 0) == last:
            chosen = [option for option in chosen if tally.counts.get(option, 0) > last]
            tied = True
    counts = "、".join(f"{option} {tally.counts.get(option, 0)}" for option in ranked)
    text = _("%(share)s of the %(base)s needed: %(counts)s") % {
        "share": rule.decision.words(),
        "base": tally.base,
        "counts": counts,
    }
    if tied:
        text += _(" (a tie for the last place: none of the tied is chosen)")
    text += "，" + (
        _("chosen: %(chosen)s") % {"chosen": "、".join(chosen)} if chosen else _("none chosen")
    )
    return Outcome(bool(chosen), text, {"chosen": chosen, "base": tally.base}, tuple(chosen))
