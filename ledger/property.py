"""A property (house) of the Ie-Sapo programme: stream ``property:<id>``.

Events: PropertyRegistered (ledger.events). Fold -> ``Property``.
Decisions: ``decide_register``. Queries: eligibility (IE-1.3) and the
membership years of the property (IE-3.3).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.dates import add_years, first_of_next_month, ONE_DAY
from ledger.errors import BadInput, NotFound, Refused
from ledger.events import Event, PropertyMemberRegistered, PropertyRegistered
from ledger.facts import Draft

# IE-1.3: built by the company or a group company. The register names the
# builder by its relation to the company, not by trade name.
ELIGIBLE_BUILDERS = ("company", "group_company")


def stream(property_id: str) -> str:
    return f"property:{property_id}"


@dataclass(frozen=True)
class Property:
    property_id: str
    delivered_on: date
    floors: int
    builder: str
    certified: bool
    base_date: date
    event_id: str
    members: tuple[tuple[str, str, date, str], ...] = ()  # (member_id, acquirer, start, event_id) in order

    def membership_year(self, d: date) -> tuple[date, date]:
        """IE-3.3: the membership year of the property containing ``d``:
        B + k years .. B + (k+1) years - 1 day (B = base date)."""
        k = max(0, d.year - self.base_date.year - 1)
        while add_years(self.base_date, k + 1) <= d:
            k += 1
        start = add_years(self.base_date, k)
        return start, add_years(self.base_date, k + 1) - ONE_DAY

    def ineligibility(self) -> tuple[str, str] | None:
        """IE-1.3: why a membership for this property is not possible, or None."""
        if self.builder not in ELIGIBLE_BUILDERS:
            return (f"was built by '{self.builder}', not by the company or a group company",
                    f"の施工者は「{self.builder}」で、当社またはグループ会社ではありません")
        if not self.certified:
            return ("is not certified by the company", "は当社の認定を受けていません")
        if self.floors > 3:
            return (f"has {self.floors} floors; the main building may have at most 3",
                    f"は{self.floors}階建てです。主たる建物は3階建て以下に限られます")
        return None


def fold(events: list[Event]) -> Property | None:
    house: Property | None = None
    members: list[tuple[str, str, date, str]] = []
    for e in events:
        if isinstance(e, PropertyRegistered):
            house = Property(e.property_id, e.delivered_on, e.floors, e.builder, e.certified, e.base_date, e.event_id)
        elif isinstance(e, PropertyMemberRegistered):
            members.append((e.member_id, e.acquirer, e.start, e.event_id))
    if house is None:
        return None
    return Property(**{**house.__dict__, "members": tuple(members)})


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
