"""``foleyline serve``: run the gRPC server until interrupted.

    foleyline serve [--address HOST:PORT] [--data-dir DIR] [--allow-root DIR ...] [--engine NAME]

Binds 127.0.0.1 by default: other machines can reach it only when you choose an address that
says so. Media paths must lie under an allowed root (default: your home folder; repeat
--allow-root, or set FOLEYLINE_ALLOWED_ROOTS to a list separated by the path separator).
What it takes on at once (workers per device, open streams, upload size, ...) is set by the
environment (``foleyline.config.ServerLimits``; docs/server.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from foleyline import config
from foleyline.fsutil import write_text_atomic
from foleyline.errors import Unavailable
from foleyline.server.app import DEFAULT_ADDRESS, ServerConfig, start_server


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", default=os.environ.get("FOLEYLINE_ADDRESS", DEFAULT_ADDRESS),
                        help=f"HOST:PORT to listen on (default {DEFAULT_ADDRESS}; port 0 picks a free one)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=f"where the store lives (default {config.data_dir()}; env FOLEYLINE_DATA_DIR)")
    parser.add_argument("--allow-root", type=Path, action="append", default=[], metavar="DIR",
                        help="a folder whose media the server may read (repeatable; default: your home folder)")
    parser.add_argument("--engine", default="procedural", help="the default engine (default procedural)")
    parser.add_argument("--port-file", type=Path, default=None,
                        help="write the port actually bound to this file once serving (for scripts)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")


def allowed_roots(args: argparse.Namespace) -> list[Path]:
    if args.allow_root:
        return list(args.allow_root)
    env = os.environ.get("FOLEYLINE_ALLOWED_ROOTS")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return [Path.home()]


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    roots = allowed_roots(args)
    running = start_server(ServerConfig(address=args.address, data_dir=args.data_dir,
                                        allowed_roots=roots, default_engine=args.engine))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    # The port is known now; clients wait for health SERVING while the engine loads.
    if args.port_file is not None:
        write_text_atomic(args.port_file, f"{running.port}\n")
    print(f"foleyline serve: listening on {running.address}; token in {config.token_path()}; "
          f"allowed roots: {', '.join(str(r) for r in roots)}", file=sys.stderr, flush=True)
    while not stop.is_set() and not running.load_done.wait(0.2):
        pass
    for warning in running.warnings:
        print(f"foleyline serve: warning: {warning}", file=sys.stderr, flush=True)
    if running.load_error is not None:
        running.stop(grace=0.5)
        raise Unavailable(f"{running.load_error}; see `foleyline engines`, or start with --engine procedural")
    stop.wait()
    print("foleyline serve: stopping (jobs in progress stay resumable)", file=sys.stderr, flush=True)
    running.stop()
    return 0
