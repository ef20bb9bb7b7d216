"""A property (house) of the Ie-Sapo programme: stream ``property:<id>``.

Events: PropertyRegistered (ledger.events). Fold -> ``Property``.
Decisions: ``decide_register``. Queries: eligibility (IE-1.3) and the
membership years of the property (IE-3.3).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from datetime import date

from ledger.dates import add_years, first_of_next_month, period_end, ONE_DAY
from ledger.errors import BadInput, NotFound, Refused
from ledger.events import (
    CompletionInspectionPassed,
    Event,
    ExtendedWarrantyGranted,
    MaintenanceOrdered,
    PropertyMemberRegistered,
    PropertyRegistered,
    WarrantyPeriodSet,
)
from ledger.facts import Draft
from ledger.streams import StreamKind

# IE-1.3: built by the company or a group company. The register names the
# builder by its relation to the company, not by trade name.
ELIGIBLE_BUILDERS = ("company", "group_company")


PREFIX = "property:"  # this module's; see ledger.member.PREFIX

_KIND = StreamKind(PREFIX)
stream, is_stream, ident = _KIND.of, _KIND.holds, _KIND.ident


class HouseMember(NamedTuple):
    """A membership registered for the house (IE-17: the primary, then any secondary acquirer)."""
    member_id: str
    acquirer: str
    start: date
    event_id: str


class WarrantyPeriod(NamedTuple):
    """IE-A3: the period the inspection company set on ``on``."""
    on: date
    work_by: date
    inspection_by: date
    event_id: str


class Ineligible(NamedTuple):
    """IE-1.3: why the house cannot have a membership, in English and Japanese."""
    en: str
    ja: str


@dataclass(frozen=True)
class Property:
    property_id: str
    delivered_on: date
    floors: int
    builder: str
    certified: bool
    base_date: date
    event_id: str
    members: tuple[HouseMember, ...] = ()  # in the order registered
    maintenance_ordered: str | None = None  # event ids of the IE-A3 steps
    completion_passed: str | None = None
    warranty_granted: str | None = None
    warranty_periods: tuple[WarrantyPeriod, ...] = ()

    def default_warranty_deadline(self) -> date:
        """IE-A3 default where the inspection company set no period: the last day
        of year 10 counted from delivery, the delivery day being day 1 (起算日),
        per Art. 143(2): delivered 2024-02-29 -> 2034-02-28."""
        return period_end(self.delivered_on, 120)

    def warranty_deadlines(self, d: date) -> tuple[date, date, str | None]:
        """IE-A3: (work by, completion inspection by, the fact that set them) in
        force on ``d``. The inspection company sets the period (Appendix 3
        Art. 3(2)); the latest period set on or before ``d`` applies. A property
        with none recorded (every property before issue 10) uses the default
        above for both."""
        chosen = [w for w in self.warranty_periods if w.on <= d]
        if chosen:
            return chosen[-1].work_by, chosen[-1].inspection_by, chosen[-1].event_id
        default = self.default_warranty_deadline()
        return default, default, None

    def warranty_deadline(self, d: date | None = None) -> date:
        """The maintenance-work deadline in force on ``d`` (IE-A3)."""
        return self.warranty_deadlines(d or date.max)[0]

    def membership_year(self, d: date) -> tuple[date, date]:
        """IE-3.3: the membership year of the property containing ``d``:
        B + k years .. B + (k+1) years - 1 day (B = base date)."""
        k = max(0, d.year - self.base_date.year - 1)
        while add_years(self.base_date, k + 1) <= d:
            k += 1
        start = add_years(self.base_date, k)
        return start, add_years(self.base_date, k + 1) - ONE_DAY

    def ineligibility(self) -> Ineligible | None:
        """IE-1.3: why a membership for this property is not possible, or None."""
        if self.builder not in ELIGIBLE_BUILDERS:
            return Ineligible(f"was built by '{self.builder}', not by the company or a group company",
                              f"の施工者は「{self.builder}」で、当社またはグループ会社ではありません")
        if not self.certified:
            return Ineligible("is not certified by the company", "は当社の認定を受けていません")
        if self.floors > 3:
            return Ineligible(f"has {self.floors} floors; the main building may have at most 3",
                              f"は{self.floors}階建てです。主たる建物は3階建て以下に限られます")
        return None


def fold(events: list[Event]) -> Property | None:
    house: Property | None = None
    members: list[HouseMember] = []
    steps: dict[str, str] = {}
    periods: list[WarrantyPeriod] = []
    for e in events:
        if isinstance(e, PropertyRegistered):
            house = Property(e.property_id, e.delivered_on, e.floors, e.builder, e.certified, e.base_date, e.event_id)
        elif isinstance(e, PropertyMemberRegistered):
            members.append(HouseMember(e.member_id, e.acquirer, e.start, e.event_id))
        elif isinstance(e, MaintenanceOrdered):
            steps["maintenance_ordered"] = e.event_id
        elif isinstance(e, CompletionInspectionPassed):
            steps["completion_passed"] = e.event_id
        elif isinstance(e, ExtendedWarrantyGranted):
            steps["warranty_granted"] = e.event_id
        elif isinstance(e, WarrantyPeriodSet):
            periods.append(WarrantyPeriod(e.on, e.work_by, e.inspection_by, e.event_id))
    if house is None:
        return None
    periods.sort(key=lambda w: w.on)
    return Property(**{**house.__dict__, "members": tuple(members), "warranty_periods": tuple(periods), **steps})


def decide_warranty_step(house: Property, step: str, d: date, member_id: str | None = None,
                         member_state: str | None = None) -> list[Draft]:
    """IE-A3, the insured extended warranty: the owner orders the maintenance
    work, the inspection company passes its completion inspection, both by the
    deadline; then the warranty is granted free as a member benefit - never to a
    withdrawn member (IE-14.6)."""
    pid = house.property_id
    work_by, inspection_by, _ = house.warranty_deadlines(d)
    deadline = work_by if step == "order" else inspection_by
    if step == "order":
        if house.maintenance_ordered:
            raise Refused(f"Property {pid}: the maintenance work is already ordered.",
                          f"物件 {pid}: メンテナンス工事はすでに発注済みです。", rule="IE-A3", code="no_change")
        if d > deadline:
            raise Refused(f"Property {pid}: the maintenance had to be ordered by {deadline}; it is {d}. "
                          "No extended warranty under this benefit.",
                          f"物件 {pid}: メンテナンスの発注期限は {deadline} でした（{d}）。この特典による延長保証はありません。",
                          rule="IE-A3")
        return [Draft(stream(pid), MaintenanceOrdered, {"property_id": pid, "deadline": deadline}, ("IE-A3",))]
    if step == "pass":
        if not house.maintenance_ordered:
            raise Refused(f"Property {pid}: no maintenance work was ordered, so there is nothing to inspect.",
                          f"物件 {pid}: メンテナンス工事が発注されていません。", rule="IE-A3")
        if house.completion_passed:
            raise Refused(f"Property {pid}: the completion inspection has already passed.",
                          f"物件 {pid}: 完了検査はすでに合格しています。", rule="IE-A3", code="no_change")
        if d > deadline:
            raise Refused(f"Property {pid}: the completion inspection had to pass by {deadline}; it is {d}.",
                          f"物件 {pid}: 完了検査の期限は {deadline} でした（{d}）。", rule="IE-A3")
        return [Draft(stream(pid), CompletionInspectionPassed, {"property_id": pid}, ("IE-A3",))]
    if not (house.maintenance_ordered and house.completion_passed):
        raise Refused(f"Property {pid}: the warranty needs the maintenance ordered and its completion inspection passed.",
                      f"物件 {pid}: 延長保証にはメンテナンス工事の発注と完了検査の合格が必要です。", rule="IE-A3")
    if house.warranty_granted:
        raise Refused(f"Property {pid}: the extended warranty is already granted.",
                      f"物件 {pid}: 延長保証はすでに付与されています。", rule="IE-A3", code="no_change")
    if member_id is None or member_state not in ("active", "suspended", "accepted"):
        raise Refused(f"Property {pid} has no current member on {d}: the extended warranty is a member benefit.",
                      f"物件 {pid} には {d} 時点で会員がいません。延長保証は会員特典です。", rule="IE-14.6")
    return [Draft(stream(pid), ExtendedWarrantyGranted, {"property_id": pid, "member_id": member_id}, ("IE-A3",))]


def decide_warranty_period(house: Property, work_by: date, inspection_by: date, d: date) -> list[Draft]:
    """IE-A3: record the period the inspection company set for the required
    maintenance work and its completion inspection (a dated parameter)."""
    pid = house.property_id
    if inspection_by < work_by:
        raise BadInput(f"inspection_by {inspection_by} is before work_by {work_by}: the completion inspection "
                       "follows the work.", f"inspection_by {inspection_by} が work_by {work_by} より前です。",
                       field="inspection_by")
    if work_by < d:
        raise BadInput(f"work_by {work_by} is before the day the period is set ({d}).",
                       f"work_by {work_by} は設定日 {d} より前です。", field="work_by")
    return [Draft(stream(pid), WarrantyPeriodSet,
                  {"property_id": pid, "work_by": work_by, "inspection_by": inspection_by}, ("IE-A3",))]


def require(prop: Property | None, property_id: str) -> Property:
    if prop is None:
        raise NotFound(
            f"Property {property_id} is not registered: register it first (register_property).",
            f"物件 {property_id} は登録されていません。先に登録してください（register_property）。",
            field="property_id",
        )
    return prop


def decide_register(existing: Property | None, property_id: str, delivered_on: date, floors: int,
                    builder: str, certified: bool) -> list[Draft]:
    """Register a delivered house; its base date B is the 1st of the month after
    the initial delivery date (IE-3.1.1)."""
    if existing is not None:
        raise Refused(
            f"Property {property_id} is already registered (delivered {existing.delivered_on}).",
            f"物件 {property_id} はすでに登録されています（引渡日 {existing.delivered_on}）。",
            code="already_registered",
        )
    if floors < 1:
        raise BadInput(f"floors must be at least 1, not {floors}.", f"floors は1以上です（{floors}）。", field="floors")
    return [
        Draft(
            stream(property_id),
            PropertyRegistered,
            {
                "property_id": property_id,
                "delivered_on": delivered_on,
                "floors": floors,
                "builder": builder,
                "certified": certified,
                "base_date": first_of_next_month(delivered_on),
            },
            ("IE-1.3",),
        )
    ]
