"""``foleyline serve``: run the gRPC server until interrupted (or stopped by systemd).

Every option has a setting of the same name in foleyline.toml and an environment variable
(`foleyline config show`); the option wins. Binds 127.0.0.1 by default: other machines reach it
only at an address you choose, and then over TLS (--tls-cert/--tls-key) or, on a network you
trust, with --insecure. Media paths must lie under an allowed root (default: your home folder).
What it takes on at once (workers per device, open streams, uploads; docs/server.md) is set
the same way. With --ray the same service runs its shots on Ray Serve replicas, one per GPU
(the cluster extra; docs/cluster.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import signal
import sys
import threading
from pathlib import Path

from foleyline import capacity, config
from foleyline.capacity import ClusterOptions
from foleyline.cli import add_sfx_library_option, sfx_library_option
from foleyline.errors import InvalidInput, Unavailable
from foleyline.extras import missing_extra
from foleyline.fsutil import write_text_atomic
from foleyline.server.app import ServerConfig, start_server

EXAMPLES = (
    "foleyline serve                                      # this machine only, 127.0.0.1:50551",
    "foleyline serve --address 0.0.0.0:50551 --tls-cert server.pem --tls-key server.key --allow-root /mnt/media",
    "foleyline serve --address 0.0.0.0:50551 --insecure   # clear text, on a network you trust",
    "foleyline serve --ray --replicas 2                   # shots on 2 engine replicas of a local Ray",
    "foleyline serve --ray --ray-address 10.0.0.5:6379 --autoscale 1:8 --gpus-per-replica 1 --address 0.0.0.0:50551 "
    "--tls-cert server.pem --tls-key server.key",
    "foleyline config show                                # the settings in effect and where each came from",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", default=None, metavar="HOST:PORT",
                        help=f"where to listen (default {config.value('address')}; port 0 picks a free one)")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the store lives (setting data_dir)")
    parser.add_argument("--allow-root", type=Path, action="append", default=[], metavar="DIR",
                        help="a folder whose media the server may read (repeatable; setting allowed_roots; "
                             "default: your home folder)")
    parser.add_argument("--engine", default=None,
                        help="the default engine (setting engine; default procedural; `foleyline engines` lists them)")
    parser.add_argument("--workers", default=None, metavar="DEVICE=N,...",
                        help="engine workers per device (setting workers; default cpu=2, other devices 1)")
    parser.add_argument("--tls-cert", type=Path, default=None, metavar="PEM",
                        help="certificate (chain) to present; with --tls-key the server speaks TLS")
    parser.add_argument("--tls-key", type=Path, default=None, metavar="PEM", help="private key of --tls-cert")
    parser.add_argument("--insecure", action="store_true", default=None,
                        help="allow an address beyond loopback without TLS (token and media in clear text)")
    add_sfx_library_option(parser)
    cluster = parser.add_argument_group("cluster (Ray Serve; the cluster extra)")
    cluster.add_argument("--ray", action="store_true", default=None,
                         help="run shots on Ray Serve replicas (setting ray); without --ray-address Ray starts "
                              "on this machine, on loopback")
    cluster.add_argument("--ray-address", default=None, metavar="ADDR",
                         help="join the Ray cluster at ADDR (setting ray_address), e.g. 10.0.0.5:6379")
    scaling = cluster.add_mutually_exclusive_group()
    scaling.add_argument("--replicas", type=int, default=None, metavar="N",
                         help="engine replicas, one per GPU (setting ray_replicas; default 1)")
    scaling.add_argument("--autoscale", default=None, metavar="MIN:MAX",
                         help="let Ray Serve scale the replicas between MIN and MAX with the queue (setting ray_autoscale)")
    cluster.add_argument("--gpus-per-replica", type=float, default=None, metavar="G",
                         help="GPUs each replica holds (setting ray_gpus_per_replica; default 0: CPU replicas)")
    parser.add_argument("--port-file", type=Path, default=None,
                        help="write the port actually bound to this file once serving (for scripts)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")


def server_config(args: argparse.Namespace) -> ServerConfig:
    """The server's settings: each option, else its setting (environment, foleyline.toml, default)."""
    return ServerConfig(
        address=config.value("address", args.address),
        data_dir=config.value("data_dir", args.data_dir),
        allowed_roots=list(config.value("allowed_roots", args.allow_root)),
        default_engine=config.value("engine", args.engine),
        limits=capacity.server_limits(workers=args.workers),
        tls_cert=config.value("tls_cert", args.tls_cert),
        tls_key=config.value("tls_key", args.tls_key),
        insecure=config.value("insecure", args.insecure),
        cluster=_cluster(args),
        sfx_library=config.value("sfx_library", sfx_library_option(args)),
    )


def _cluster(args: argparse.Namespace) -> ClusterOptions | None:
    """The cluster layout with --ray (or the setting ray), else None; cluster options without
    --ray are refused rather than ignored."""
    given = {"ray_address": args.ray_address, "ray_replicas": args.replicas, "ray_autoscale": args.autoscale,
             "ray_gpus_per_replica": args.gpus_per_replica}
    if not config.value("ray", args.ray):
        named = [f"--{key.removeprefix('ray_').replace('_', '-')}" for key, v in given.items() if v is not None]
        if named:
            raise InvalidInput(f"{', '.join(named)} apply to a cluster: add --ray (or drop them)")
        return None
    # Before anything starts: a missing extra is one line saying what to install. Found, not
    # imported: Ray reads its environment at import, and the server sets it first (loopback).
    if importlib.util.find_spec("ray") is None:
        missing = ModuleNotFoundError("No module named 'ray'", name="ray")
        raise InvalidInput(missing_extra(missing) or "--ray needs Ray Serve: pip install 'foleyline[cluster]'")
    if args.autoscale is not None:
        given["ray_replicas"] = None
    elif args.replicas is not None:
        given["ray_autoscale"] = ""
    return capacity.cluster_options(**given)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = server_config(args)
    running = start_server(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    # The port is known now; clients wait for health SERVING while the engine loads.
    if args.port_file is not None:
        write_text_atomic(args.port_file, f"{running.port}\n")
    security = "TLS" if settings.tls_cert else "clear text"
    if settings.cluster is not None:
        layout = settings.cluster
        replicas = f"{layout.autoscale[0]}..{layout.autoscale[1]} (autoscaled)" if layout.autoscale else str(layout.replicas)
        print(f"foleyline serve: Ray Serve {layout.address or 'on this machine'}, {replicas} replica(s), "
              f"{layout.gpus_per_replica:g} GPU(s) each; SERVING once they are loaded", file=sys.stderr, flush=True)
    print(f"foleyline serve: listening on {running.address} ({security}); token in {config.token_path()}; "
          f"allowed roots: {', '.join(str(r) for r in settings.allowed_roots)}", file=sys.stderr, flush=True)
    while not stop.is_set() and not running.load_done.wait(0.2):
        pass
    if running.load_error is not None:
        running.stop(grace=0.5)
        raise Unavailable(f"{running.load_error}; see `foleyline engines`, or start with --engine procedural")
    # Waiting in short steps: a signal may land on one of the server's threads, and only the
    # main thread running Python again runs the handler.
    while not stop.wait(0.5):
        pass
    print("foleyline serve: stopping (jobs in progress stay resumable)", file=sys.stderr, flush=True)
    running.stop()
    return 0
