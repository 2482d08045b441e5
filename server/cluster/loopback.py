"""A local Ray Serve kept on loopback, like every other server Foleyline starts.

``serve --ray`` without a cluster address starts Ray with its node address 127.0.0.1 and
``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (``prepare_ray_environment``): Ray's own servers then
listen on loopback. One does not: each Serve replica (Ray 2.60) opens its inter-deployment gRPC
server on ``[::]:0``, every interface, whatever the node address. On a node whose address is
loopback, nothing can reach a replica from outside anyway, so the replica binds that server to
127.0.0.1 as well. A replica on a real cluster (node address not loopback) is left as Ray
made it: there, other nodes must reach it.
"""

from __future__ import annotations

import ipaddress
import logging

log = logging.getLogger(__name__)

_EVERY_INTERFACE = ("[::]:", "0.0.0.0:")


def on_loopback_node() -> bool:
    import ray  # deferred: the cluster extra; only a replica process calls this

    return ipaddress.ip_address(ray.util.get_node_ip_address()).is_loopback


def keep_replica_servers_on_loopback() -> None:
    """In a replica process of a loopback node: the replica's own gRPC server binds to
    127.0.0.1 (called from the replica's constructor, which Serve runs before it starts that
    server)."""
    if not on_loopback_node():
        return
    from ray.serve._private import replica  # deferred: Ray Serve's internals, pinned version

    bind = replica.add_port_to_grpc_server
    if getattr(bind, "keeps_to_loopback", False):
        return

    def bind_on_loopback(server, address: str) -> int:
        for every in _EVERY_INTERFACE:
            if address.startswith(every):
                address = "127.0.0.1:" + address[len(every):]
        return bind(server, address)

    bind_on_loopback.keeps_to_loopback = True  # type: ignore[attr-defined]
    replica.add_port_to_grpc_server = bind_on_loopback
    log.debug("this replica's gRPC server binds to loopback")
