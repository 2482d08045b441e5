"""Start Ray (or join a cluster) and declare the engine replicas as a Ray Serve deployment.

Only declarations: how many replicas (or Serve's autoscaling between MIN and MAX on the
queue), what each holds (``ray_actor_options``: its GPUs), one shot at a time each
(``max_ongoing_requests=1``, so Serve's router spreads shots and queues the rest). No Serve
proxy runs (``ProxyLocation.Disabled``): the head's own gRPC front end is the ingress and calls
the deployment through its handle (docs/cluster.md says why).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

# ray: the cluster extra; this module is imported only by `serve --ray`.
import ray
from ray import serve
from ray.serve.config import ProxyLocation
from ray.serve.handle import DeploymentHandle

from foleyline.capacity import ClusterOptions
from foleyline.errors import Unavailable
from foleyline.server.cluster.replica import ShotReplica

log = logging.getLogger(__name__)

APP_NAME = "foleyline"
DEPLOYMENT_NAME = "ShotReplica"
NAMESPACE = "foleyline"


def deployment_options(options: ClusterOptions) -> dict:
    """The Serve deployment's options for the layout asked for."""
    declared: dict = {
        "max_ongoing_requests": 1,
        # A replica is a whole engine; on a GPU it also wants a core to decode on.
        "ray_actor_options": {"num_cpus": 1, "num_gpus": options.gpus_per_replica},
    }
    if options.autoscale is not None:
        low, high = options.autoscale
        declared["autoscaling_config"] = {"min_replicas": low, "max_replicas": high, "target_ongoing_requests": 1}
    else:
        declared["num_replicas"] = options.replicas
    return declared


@dataclass
class Deployment:
    handle: DeploymentHandle
    started_ray: bool     # this process started Ray (and stops it)

    def stop(self) -> None:
        try:
            serve.delete(APP_NAME)
            if self.started_ray:
                serve.shutdown()
        finally:
            if self.started_ray:
                ray.shutdown()


class NodeStartTimeout(Exception):
    """A local Ray node that did not come up, after every start allowed."""


# Ray gives a new local node's raylet 30 s to register (a constant in ray/_private/node.py). On a
# machine where other Rays start too, the raylet sometimes never does: its gRPC poller fails
# ("epoll_wait error: Bad file descriptor" in its output) and Ray reports that the node "timed
# out during startup". Seen in 1 of 12 starts with three local Rays starting at once here, and in
# the suite's cluster tests beside other suites; a second start came up each time.
LOCAL_STARTS = 2
_NODE_TIMED_OUT = "timed out during startup"


def start_local_ray(options: ClusterOptions, init=None) -> None:
    """A local Ray on loopback, started again once if its node does not come up; what the failed
    start left running (its GCS, dashboard, monitors) is stopped first."""
    init = init or ray.init
    for attempt in range(1, LOCAL_STARTS + 1):
        try:
            init(num_cpus=max(os.cpu_count() or 1, options.most_replicas), include_dashboard=False,
                 _node_ip_address="127.0.0.1", namespace=NAMESPACE)
            return
        except Exception as exc:
            if _NODE_TIMED_OUT not in str(exc):
                raise
            _stop_half_started_node(exc)
            if attempt == LOCAL_STARTS:
                raise NodeStartTimeout(f"its node did not start, {LOCAL_STARTS} times: {exc}") from None
            log.warning("the local Ray node did not start (%s); starting it again", exc)


def _stop_half_started_node(exc: BaseException) -> None:
    """Ray keeps no handle on a node whose start raised: its processes would run on, unowned,
    until this process exits. The node object is still in the failed start's frames."""
    tb = exc.__traceback__
    while tb is not None:
        node = tb.tb_frame.f_locals.get("self")
        if callable(getattr(node, "kill_all_processes", None)):
            try:
                node.kill_all_processes(check_alive=False, allow_graceful=False, wait=True)
            except Exception:  # stopping leftovers must not hide why the start failed
                log.debug("could not stop the failed Ray node's processes", exc_info=True)
            return
        tb = tb.tb_next


def deploy(options: ClusterOptions, *, default_engine: str, allowed_roots: list[Path]) -> Deployment:
    """Ray up (local on loopback, or the cluster at ``options.address``), the replicas deployed
    and ready (their default engine loaded); returns the handle the head calls them through."""
    started = not ray.is_initialized()
    if started:
        try:
            if options.address:
                ray.init(address=options.address, namespace=NAMESPACE)
            else:
                start_local_ray(options)
        except (ConnectionError, RuntimeError, ValueError, NodeStartTimeout) as exc:
            where = f"the Ray cluster at {options.address}" if options.address else "a local Ray instance"
            raise Unavailable(f"cannot start or join {where} ({exc}); check ray_address and that `ray status` "
                              "answers there") from None
    try:
        serve.start(proxy_location=ProxyLocation.Disabled)
        app = serve.deployment(ShotReplica, name=DEPLOYMENT_NAME, **deployment_options(options)).bind(
            default_engine, [str(root) for root in allowed_roots])
        handle = serve.run(app, name=APP_NAME, route_prefix=None)
    except Exception:
        if started:
            ray.shutdown()
        raise
    log.info("Ray Serve deployment %s up: %s", DEPLOYMENT_NAME, deployment_options(options))
    return Deployment(handle, started)


__all__ = ["APP_NAME", "DEPLOYMENT_NAME", "Deployment", "NodeStartTimeout", "deploy", "deployment_options",
           "start_local_ray"]
