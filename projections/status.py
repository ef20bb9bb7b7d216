"""``ledger status ID``: one member's status on a day, as known at a moment.

Reads one member's stream plus the shared streams it needs (the property, the
fee schedule, and for a secondary applicant the previous owner's stream):
never the whole log, so it stays cheap as the store grows.
"""
from __future__ import annotations

from ledger import fees, member, presence, property as prop
from ledger.errors import NotFound
from ledger.events import Event
from ledger.facts import visible
from ledger.store import LedgerApp
from projections import member_view, presence as presence_view
from projections.window import Window

# The row itself is assembled in projections.member_view (one assembly for every read).
ACTIONS, action, iso = member_view.ACTIONS, member_view.action, member_view.iso


def member_row(m: member.Member, tariffs: list[fees.Tariff], w: Window, read=None) -> dict:
    """The CONTRACT.md status fields of one folded member on ``w.day`` (``member_view.assemble``);
    ``read(stream)`` gives the house's inspections and the previous owner (none: no such facts)."""
    return member_view.assemble(m, member_view.Sources(read or (lambda _: []), w, tariffs)).row


def load_member(app: LedgerApp, member_id: str, w: Window) -> member.Member:
    events = app.read(member.stream(member_id))
    m = member.fold(member_id, visible(events, w.as_of, w.known_at))
    if m is None:
        if events:
            raise NotFound(
                f"Member {member_id} was not yet in the ledger on {w.day} as known at {w.known_at.isoformat()}.",
                f"会員 {member_id} は {w.known_at.isoformat()} 時点の記録では {w.day} にまだ台帳にありません。",
                field="id",
            )
        raise NotFound(f"There is no member or enrolment {member_id} in the ledger.",
                       f"会員または登録 {member_id} は台帳にありません。", field="id")
    return m


def member_view_of(app: LedgerApp, member_id: str, w: Window) -> member_view.MemberView:
    return member_view.assemble(load_member(app, member_id, w), member_view.Sources(app.read, w))


def member_status(app: LedgerApp, member_id: str, w: Window) -> dict:
    return member_view_of(app, member_id, w).row


def member_of(app: LedgerApp, ident: str) -> str:
    """A member or enrolment id as it is; a property id -> the member registered for it most
    recently (a registration retracted does not count)."""
    if app.exists(member.stream(ident)) or app.exists(presence.stream(ident)):
        return ident
    links = [e for e in visible(app.read(prop.stream(ident))) if e.TYPE == "PropertyMemberRegistered"]
    return links[-1].member_id if links else ident


def is_enrolment(app: LedgerApp, ident: str) -> bool:
    """The id names a presence-check enrolment and no Ie-Sapo member."""
    return not app.exists(member.stream(ident)) and app.exists(presence.stream(ident))


def status(app: LedgerApp, ident: str, w: Window) -> dict:
    """The status of a member (or, where one exists, an enrolment) with this id."""
    if is_enrolment(app, ident):
        return presence_view.enrolment_status(app, ident, w)
    return member_status(app, ident, w)


def stream_for(app: LedgerApp, ident: str) -> list[Event]:
    """The stream an id names, for ``history``: a member, a property, an enrolment."""
    for name in (member.stream(ident), prop.stream(ident), presence.stream(ident), ident):
        events = app.read(name)
        if events:
            return events
    raise NotFound(f"There is no member, property or enrolment {ident} in the ledger.",
                   f"会員・物件・登録 {ident} は台帳にありません。", field="id")
