"""The same service on a Ray Serve cluster (`foleyline serve --ray`; docs/cluster.md).

    head process (foleyline serve --ray)                 Ray Serve replicas (one per GPU)
    grpc.aio front end: token, TLS, health, limits       ShotReplica: EngineRegistry + Pipeline
    jobs layer: fair queue, followers, cancel     --->   one shot at a time, progress streamed
    the store (SQLite + WAVs): the one writer     <---   the takes' WAVs, returned to the head

Ray does the scheduling, the replicas, their restarts and autoscaling; this package only says
what a replica does (``replica``), how the head hands it a shot and takes back what it made
(``head``), and how the deployment is declared and started (``deploy``). ``work`` holds the
plain data that crosses between them. Ray is the ``cluster`` extra: nothing outside this
package imports it at the top.
"""

from __future__ import annotations



import logging
import os
import secrets
import sys

from foleyline.capacity import ClusterOptions

log = logging.getLogger(__name__)

_LOOPBACK_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
_AUTH_TOKEN = "RAY_AUTH_TOKEN"
_RAY_TMPDIR_MOST = 107 - 68  # bytes of a TMPDIR Ray can keep its sockets under


def prepare_ray_environment(options: ClusterOptions) -> None:
    """Ray's environment, set before Ray is first imported (it reads it then, and the processes
    it starts inherit it): no usage reports leave the machine, and a local Ray (no address to
    join) keeps to loopback. Ray otherwise resolves 127.0.0.1 to the machine's network address
    so that other nodes could join; its switch for a single-machine instance on the loopback
    address is RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 (ray/_private/ray_constants.py)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray keeps its sessions under TMPDIR and cannot start where that path is not ASCII (its core
    # worker encodes it as ASCII) or too long for its sockets under it (a Unix socket's path is
    # at most 107 bytes; Ray adds up to 68: /ray/session_<time>_<pid>/sockets/plasma_store, as
    # macOS's /var/folders/... TMPDIR nearly does): it then uses its own default, /tmp.
    given = os.environ.get("TMPDIR", "")
    if "RAY_TMPDIR" not in os.environ and (not given.isascii() or len(given.rstrip("/")) > _RAY_TMPDIR_MOST):
        os.environ["RAY_TMPDIR"] = "/tmp"
    if not options.address:
        if "ray" in sys.modules and os.environ.get(_LOOPBACK_SWITCH) != "0":
            log.warning("Ray was imported before the cluster was set up; a local Ray may listen beyond loopback")
        os.environ.setdefault(_LOOPBACK_SWITCH, "0")
        # Ray's token authentication otherwise keeps a local instance's token in ~/.ray/auth_token,
        # and Ray cannot start where the home folder is read-only (a service account, a CI
        # runner). A local instance is this process's alone: its token lives in the environment
        # its processes inherit (RAY_AUTH_TOKEN, which Ray reads before the file).
        os.environ.setdefault(_AUTH_TOKEN, secrets.token_hex(32))
        # Ray waits 30 s for its GCS to start; on a busy machine (one run here, of about ten,
        # under two package installs) that was not enough. The head waits as long for its replicas.
        os.environ.setdefault("RAY_gcs_server_port_wait_time_s", "120")
