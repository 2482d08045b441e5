"""Build and start the gRPC server: the Foley service behind the token interceptor, plus the
standard health and reflection services, on an asyncio event loop of its own (grpc.aio).

The loop runs on one thread and only waits: every call's blocking work runs on the servicer's
thread pools and shots on the jobs layer's workers, so health checks, server info and cancels
answer at once however many streams are open. ``start_server`` returns a ``RunningServer``
that callers on ordinary threads stop and wait on.

Health starts NOT_SERVING and turns SERVING once the default engine has loaded, so a client
that waits for SERVING never sends work to a server still loading weights.

With ``cluster`` set (``serve --ray``) the same front end runs the shots on Ray Serve replicas
(``foleyline.server.cluster``): health turns SERVING once they are deployed and loaded.

Beyond loopback the server speaks TLS (``tls_cert`` + ``tls_key``): the token and the media
travel in every call. Listening beyond loopback in clear text needs ``insecure``, said outright.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from foleyline import capacity, config
from foleyline.capacity import ClusterOptions, ServerLimits
from foleyline.errors import InvalidInput, Unavailable
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from foleyline.server import housekeeping
from foleyline.server.auth import TokenInterceptor
from foleyline.server.data_lock import DataDirLock
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.jobs import JobManager
from foleyline.server.pipeline import Pipeline
from foleyline.server.service import FoleyService, Pools
from foleyline.server.status import PublicErrors
from foleyline.server.store import Store
from foleyline.server.threads import apply_compute_threads
from foleyline.server.wire import DecodingInterceptor

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Foley"].full_name
DEFAULT_ADDRESS = f"127.0.0.1:{config.DEFAULT_PORT}"
# Audio chunks are 1 MiB; leave room for the envelope.
MAX_MESSAGE_BYTES = 8 << 20


@dataclass
class ServerConfig:
    address: str = DEFAULT_ADDRESS
    data_dir: Path | None = None              # None: config.data_dir()
    allowed_roots: list[Path] = field(default_factory=list)
    token: str | None = None                  # None: the user's token file (created on first start)
    default_engine: str = "procedural"
    limits: ServerLimits | None = None        # None: capacity.server_limits() (the settings)
    tls_cert: Path | None = None              # PEM chain; with tls_key: TLS
    tls_key: Path | None = None
    insecure: bool = False                    # allow clear text beyond loopback
    sfx_library: Path | None = None           # None: the config file's (foleyline.config.sfx_library)
    # List every engine at start, so GetServerInfo answers at once; that imports each engine's
    # code (torch: ~1.5 s of CPU, 200 MB), which a server started for one command's run skips.
    warm_engine_list: bool = True
    cluster: ClusterOptions | None = None     # set: shots run on Ray Serve replicas (serve --ray)


class RunningServer:
    def __init__(self, server: grpc.aio.Server, loop: asyncio.AbstractEventLoop, thread: threading.Thread, port: int,
                 host: str, service: FoleyService, health_servicer: health.aio.HealthServicer, token: str,
                 housekeeper: housekeeping.Housekeeper, lock: DataDirLock) -> None:
        self.server = server
        self.service = service
        self.loop = loop
        self.port = port
        self.host = host
        self.store = service.store
        self.jobs = service.jobs
        self.registry = service.registry
        self.health = health_servicer
        self.token = token
        self.ready = threading.Event()        # the default engine loaded: SERVING
        self.load_error: str | None = None    # why it did not
        self.load_done = threading.Event()    # either way
        self._thread = thread
        self._pools = service.pools
        self._housekeeper = housekeeper
        self._lock = lock
        self._stopped = False
        self.cluster = None                   # the cluster's shot runner (RayShots), with serve --ray

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def call(self, coroutine, timeout: float | None = None):
        """Run a coroutine on the server's loop from an ordinary thread; its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        if self._stopped:
            return
        for name in ("", SERVICE_NAME):
            self.call(self.health.set(name, status))

    def wait(self) -> None:
        self.call(self.server.wait_for_termination())

    def stop(self, grace: float = 2.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.call(self.health.enter_graceful_shutdown())
        self.jobs.stop()
        if self.cluster is not None:
            self.cluster.stop()
        self.call(self.server.stop(grace))
        _stop_loop(self.loop, self._thread)
        self._pools.shutdown()
        self._housekeeper.stop()
        self.store.close()
        self._lock.release()


def _split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise InvalidInput(f"the address {address!r} is not HOST:PORT (e.g. 127.0.0.1:{config.DEFAULT_PORT})")
    return host.strip("[]") or "127.0.0.1", int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def server_credentials(settings: ServerConfig) -> grpc.ServerCredentials | None:
    """TLS credentials from the certificate and key, None for clear text; refuses clear text
    beyond loopback unless ``insecure``."""
    host, _port = _split_address(settings.address)
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise InvalidInput("TLS needs both a certificate and its key: give --tls-cert and --tls-key (or tls_cert and "
                           "tls_key in foleyline.toml)")
    if settings.tls_cert is None:
        if not is_loopback(host) and not settings.insecure:
            raise InvalidInput(
                f"{settings.address} is reachable from other machines, and without TLS the token and media would "
                "cross the network in clear text; give --tls-cert and --tls-key, or --insecure on a network you trust"
            )
        return None
    try:
        key, cert = Path(settings.tls_key).read_bytes(), Path(settings.tls_cert).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the TLS certificate or key ({exc}); check --tls-cert and --tls-key") from None
    if b"-----BEGIN" not in cert or b"PRIVATE KEY-----" not in key:
        raise InvalidInput(f"{settings.tls_cert} and {settings.tls_key} must be a PEM certificate and a PEM private key")
    return grpc.ssl_server_credentials([(key, cert)])


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5.0)
    if not thread.is_alive():
        loop.close()


async def _build(service: FoleyService, interceptor: TokenInterceptor, bind: str,
                 credentials: grpc.ServerCredentials | None):
    server = grpc.aio.server(
        # The token first: a caller without it learns nothing, not even that a request was malformed.
        interceptors=[interceptor, DecodingInterceptor()],
        options=[
            # Without this, Linux lets a second server bind the same port and steal calls.
            ("grpc.so_reuseport", 0),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    pb_grpc.add_FoleyServicer_to_server(service, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    try:
        bound = server.add_secure_port(bind, credentials) if credentials else server.add_insecure_port(bind)
    except RuntimeError as exc:
        bound = 0
        log.debug("bind failed: %s", exc)
    if bound:
        await server.start()
    return server, health_servicer, bound


def start_server(settings: ServerConfig, registry: EngineRegistry | None = None) -> RunningServer:
    """Start serving on ``settings.address`` (port 0: any free port; read it from the result)."""
    host, port = _split_address(settings.address)
    credentials = server_credentials(settings)
    token = settings.token or config.ensure_token()
    interceptor = TokenInterceptor(token, hint=not settings.token)  # refuses a short token first
    limits = settings.limits or capacity.server_limits()
    data_dir = settings.data_dir or config.data_dir()
    roots = [Path(root).expanduser().resolve() for root in settings.allowed_roots]
    procedural = {"index_path": config.sfx_index_path(data_dir)}
    if settings.sfx_library is not None:
        procedural["sfx_library"] = Path(settings.sfx_library)
    registry = registry or EngineRegistry(default=settings.default_engine, options={"procedural": procedural})
    # Before any engine loads (decode and analysis use the pools too); CPU workers run at once,
    # so each gets its share of the cores.
    apply_compute_threads(workers=limits.workers_for("cpu"))

    store = Store(data_dir)
    # Before the store is read: a second server would mark the first one's jobs interrupted.
    try:
        lock = DataDirLock(store.root).acquire(settings.address)
    except BaseException:
        store.close()
        raise
    try:
        return _serve(settings, registry, limits, store, lock, host, port, roots, token, credentials, interceptor)
    except BaseException:
        lock.release()
        raise


def _serve(settings: ServerConfig, registry: EngineRegistry, limits: ServerLimits, store: Store, lock: DataDirLock,
           host: str, port: int, roots: list[Path], token: str, credentials: grpc.ServerCredentials | None,
           interceptor: TokenInterceptor) -> RunningServer:
    """The rest of ``start_server``, with the data folder locked."""
    data_dir = store.root
    moved = housekeeping.repair(store)
    if moved:
        log.warning("%d stored row(s) could not be sent back and were moved to the quarantine table", moved)
    pipeline = Pipeline(store, roots)
    cluster = None
    if settings.cluster is not None:
        from foleyline.server.cluster import prepare_ray_environment

        prepare_ray_environment(settings.cluster)
        # ray: the cluster extra, imported only when serving on a cluster.
        from foleyline.server.cluster.head import RayShots

        cluster = RayShots(store)
        # As many shots at once as there can be replicas; Serve's router places them.
        most = settings.cluster.most_replicas
        limits = replace(limits, workers={"cpu": most, "cuda": most, "mps": most})
    jobs = JobManager(store, registry, pipeline, limits, shots=cluster)
    if jobs.interrupted_at_start:
        log.warning("jobs interrupted by the last shutdown, resumable: %s", ", ".join(jobs.interrupted_at_start))
    errors = PublicErrors({"the server's data folder": data_dir, "the server's config folder": config.config_dir()})
    pools = Pools()
    service = FoleyService(store, registry, pipeline, jobs, limits=limits, errors=errors, pools=pools)

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="foleyline-grpc", daemon=True)
    thread.start()
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    server, health_servicer, bound = asyncio.run_coroutine_threadsafe(_build(service, interceptor, bind, credentials), loop).result()
    if not bound:
        _stop_loop(loop, thread)
        jobs.stop()
        pools.shutdown()
        store.close()
        raise Unavailable(
            f"cannot listen on {bind}: the port is in use (another foleyline serve?) or the address is not this "
            f"machine's; stop the other server or choose another port with --address {host}:PORT"
        )
    lock.say(f"listening on {host}:{bound}")  # the port asked for may have been 0
    housekeeper = housekeeping.Housekeeper(store, limits.sweep_interval_s).start()
    running = RunningServer(server, loop, thread, bound, host, service, health_servicer, token, housekeeper, lock)
    running.cluster = cluster
    threading.Thread(target=_load_engines, args=(running, settings, roots), name="foleyline-load", daemon=True).start()
    return running


def _load_engines(running: RunningServer, settings: ServerConfig, roots: list[Path]) -> None:
    registry = running.registry
    try:
        # A default engine that cannot run stops the server with the reason (the weights and
        # the pull command): serving another engine instead would not be what was asked for.
        registry.get(registry.default)
    except Exception as exc:
        log.error("the default engine %s did not load; the server stays NOT_SERVING: %s", running.registry.default, exc)
        running.load_error = f"the default engine {running.registry.default} did not load: {exc}"
        running.load_done.set()
        return
    if running.cluster is not None and settings.cluster is not None:
        try:
            running.cluster.start(settings.cluster, default_engine=registry.default, allowed_roots=roots)
        except Exception as exc:
            log.error("the Ray Serve replicas did not start; the server stays NOT_SERVING: %s", exc)
            running.load_error = f"the Ray Serve replicas did not start: {exc}"
            running.load_done.set()
            return
    running.set_serving(True)
    log.info("engine %s loaded; serving", running.registry.default)
    running.ready.set()
    running.load_done.set()
    # What server info lists (engine modules imported, capabilities read), once, now, so that
    # GetServerInfo answers at once.
    if not settings.warm_engine_list:
        return
    try:
        registry.statuses()
    except Exception:  # listing reports its own failures; this only warms it
        log.debug("engine statuses not warmed", exc_info=True)
