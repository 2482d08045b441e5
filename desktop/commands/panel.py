"""``foleyline panel``: open the desktop panel.

    foleyline panel [TIMELINE] [--rate FPS] [--server HOST:PORT]
    foleyline panel --screenshot PNG [TIMELINE]      render offscreen to a PNG and exit
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from foleyline import config
from foleyline.errors import InvalidInput


EXAMPLES = (
    'foleyline panel cut.otio',
    'foleyline panel --server gpu.lan:50551 --token ... --tls-ca server.pem',
    'foleyline panel cut.otio --screenshot panel.png   # render it offscreen to a picture',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("timeline", nargs="?", type=Path, help="a timeline to open (.otio, FCP7 XML, FCPXML, EDL, AAF, Kdenlive)")
    parser.add_argument("--rate", type=float, default=None, help="frame rate of an EDL (it does not record one), e.g. 23.976")
    parser.add_argument("--server", default=None, metavar="HOST:PORT",
                        help="the server to connect to (default: the setting server / FOLEYLINE_SERVER; with none, the "
                             "local port, and when nothing answers there the panel starts a server on loopback)")
    parser.add_argument("--token", default=None, help="the remote server's token (default: the setting token / "
                                                      "FOLEYLINE_TOKEN, else the local token file)")
    parser.add_argument("--tls-ca", type=Path, default=None, metavar="PEM",
                        help="certificate(s) to trust for a TLS server (default: the setting tls_ca / FOLEYLINE_TLS_CA)")
    parser.add_argument("--no-connect", action="store_true", help="do not connect to a server on start")
    parser.add_argument("--screenshot", type=Path, default=None, metavar="PNG",
                        help="render the panel offscreen to this PNG (with TIMELINE loaded) and exit")
    parser.add_argument("--size", default="1680x980", help="window size for --screenshot, WIDTHxHEIGHT (default 1680x980)")


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise InvalidInput(f"--size {text!r}: give WIDTHxHEIGHT in pixels, e.g. 1680x980") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise InvalidInput(f"--size {text!r}: width 320..8000 and height 240..8000 pixels")
    return width, height


def run(args: argparse.Namespace) -> int:
    # The options are this run's values of their settings, which the panel reads where it connects.
    for key, given in (("token", args.token), ("tls_ca", args.tls_ca)):
        if given is not None:
            os.environ[config.BY_KEY[key].env] = str(given)
    if args.timeline is not None and not args.timeline.exists():
        raise InvalidInput(f"timeline not found: {args.timeline}; give the path of an exported timeline")
    # The panel (PyQt6) is imported only once the arguments are good: a usage error, or
    # `foleyline panel --help`, needs no Qt.
    if args.screenshot is not None:
        from foleyline.desktop.app import render_screenshot

        path = render_screenshot(args.screenshot, args.timeline, rate=args.rate, address=args.server,
                                 connect=not args.no_connect, size=parse_size(args.size))
        print(f"wrote {path}")
        return 0
    from foleyline.desktop.app import run_panel

    return run_panel(args.timeline, rate=args.rate, address=args.server, connect=not args.no_connect)
