"""``foleyline takes list|accept``: the takes the server holds, and circling one.

    foleyline takes list [--shot SHOT] [--job JOB]     per shot: take number, seed, engine, loudness, accepted
    foleyline takes accept SHOT TAKE                   SHOT: id or name; TAKE: number (1, 2, ...) or take id

The accepted take is the one a shot places on the Foley tracks (the others are its
alternates); the server keeps it across restarts.
"""

from __future__ import annotations

import argparse
from collections import OrderedDict

from foleyline.errors import InvalidInput, NotFound
from foleyline.plugin.text_table import text_table


EXAMPLES = (
    'foleyline takes list --shot SH010',
    'foleyline takes accept SH010 2          # circle take 2: generate places it',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the takes per shot")
    listing.add_argument("--shot", default="", help="one shot (its id or name)")
    listing.add_argument("--job", default="", help="the takes of one job")
    accept = sub.add_parser("accept", help="circle a take: its shot places it")
    accept.add_argument("shot", help="the shot's id or name")
    accept.add_argument("take", help="the take's number in `takes list`, or its id")
    for each in (listing, accept):
        each.add_argument("--server", default=None, help="HOST:PORT (default: FOLEYLINE_SERVER, else in-process on this store)")


def take_number(take, position: int) -> int:
    """A take's number in its shot: the server's (its WAVs' iXML TAKE and file names say it),
    else its place in creation order (a take stored before takes were numbered)."""
    return take.number or position


def takes_by_shot(takes) -> "OrderedDict[str, list]":
    """Takes grouped per shot, each shot's in creation order (their numbers are 1, 2, ...)."""
    grouped: OrderedDict[str, list] = OrderedDict()
    for take in sorted(takes, key=lambda t: (t.created_at, t.id)):
        grouped.setdefault(take.shot_id, []).append(take)
    return grouped


def _shot_takes(takes, shot: str) -> list:
    grouped = takes_by_shot(takes)
    if shot in grouped:
        return grouped[shot]
    named = [group for group in grouped.values() if group[0].shot_name.casefold() == shot.casefold()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        ids = ", ".join(group[0].shot_id for group in named)
        raise InvalidInput(f"{len(named)} shots are named {shot!r} ({ids}); give the shot id")
    raise NotFound(f"no takes for shot {shot!r} on the server; `foleyline takes list` shows the shots it has")


def table(takes) -> str:
    headers = ("shot", "take", "seed", "engine", "loudness", "accepted", "take id")
    rows = []
    for shot_id, group in takes_by_shot(takes).items():
        for position, take in enumerate(group, start=1):
            rows.append((take.shot_name or shot_id, str(take_number(take, position)), str(take.seed), take.engine or "?",
                         f"{take.loudness_lufs:.1f} LUFS", "*" if take.accepted else "", take.id))
    return text_table(headers, rows) if rows else "no takes on the server"


def run(args: argparse.Namespace) -> int:
    from foleyline.plugin.commands.generate import connect

    with connect(args.server, []) as client:
        if args.action == "list":
            takes = client.list_takes(job_id=args.job)
            if args.shot:
                takes = _shot_takes(takes, args.shot)
            print(table(takes))
            return 0
        group = _shot_takes(client.list_takes(), args.shot)
        if args.take.isdigit():
            numbered = {take_number(take, position): take for position, take in enumerate(group, start=1)}
            if int(args.take) not in numbered:
                raise InvalidInput(f"shot {args.shot!r} has {len(group)} take(s), numbered "
                                   f"{', '.join(map(str, sorted(numbered)))}; give one of those numbers")
            take_id = numbered[int(args.take)].id
        else:
            take_id = next((t.id for t in group if t.id == args.take), None)
            if take_id is None:
                raise NotFound(f"take {args.take!r} is not one of shot {args.shot!r}'s; `foleyline takes list --shot` shows them")
        accepted = client.accept_take(take_id)
        print(f"accepted take {take_id} of {accepted.shot_name or accepted.shot_id}")
        return 0
