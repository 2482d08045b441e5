"""The panel's link to a server: connecting (on a worker thread), then a health check every few
seconds; a server that is up but still loading its engine is looked at again sooner. Part of
the session (``session.py``): it reports through the session's ``connection_changed`` (connected, connecting, error, refused) and
``server_info_changed`` signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PyQt6.QtCore import QObject, QTimer

from foleyline.desktop import calls
from foleyline.desktop.jobs import Job
from foleyline.errors import PermissionDenied, Unavailable
from foleyline.protos.v1 import foley_pb2 as pb

if TYPE_CHECKING:  # the session owns this part; only its type is needed here
    from foleyline.desktop.session import Session

__all__ = ["Connection"]

HEALTH_INTERVAL_MS = 5000
LOADING_POLL_MS = 500

ClientFactory = Callable[[str, str | None], Any]


class Connection(QObject):
    """The client, what the server said about itself, and whether it still answers."""

    def __init__(self, session: Session, client_factory: ClientFactory | None = None) -> None:
        super().__init__(session)
        self._session = session
        self._client_factory = client_factory
        self.client: Any = None
        self.server_info: pb.ServerInfo | None = None
        self.address = ""
        self.token: str | None = None
        self._health = QTimer(self, interval=HEALTH_INTERVAL_MS)
        self._health.timeout.connect(self.check_health)
        self._health_job: Job | None = None

    def connect_to(self, address: str, token: str | None = None) -> Job:
        session = self._session
        address = address.strip()
        self.address, self.token = address, (token or None)
        session.connection_changed.emit("connecting", f"Connecting to {address}…")
        if self._client_factory is not None:
            job = session.runner.run("connect", calls.connect_with_factory_job, self._client_factory, address, self.token)
        else:
            job = session.runner.run("connect", calls.connect_job, address, self.token)
        job.succeeded.connect(self._on_connected)
        job.failed.connect(self._on_connect_failed)
        return job.start()

    def require_client(self) -> Any:
        if self.client is None:
            raise Unavailable("not connected to a server; connect in the Server tab or start a local one")
        return self.client

    def _on_connected(self, result: tuple[Any, pb.ServerInfo, str]) -> None:
        session = self._session
        old = self.client
        self.client, self.server_info, status = result
        if old is not None and old is not self.client:
            calls.close_client(old)
        if not session.engine or not any(e.name == session.engine for e in self.server_info.engines):
            session.engine = self.server_info.default_engine
        session.server_info_changed.emit(self.server_info)
        self._on_health(status)
        self._health.start()
        session.sync_takes()

    def _on_connect_failed(self, exc: object) -> None:
        self.client = None
        self.server_info = None
        self._health.stop()
        # A server that answered and turned the token down is there: the cure is the token, not
        # starting another server.
        state = "refused" if isinstance(exc, PermissionDenied) else "error"
        self._session.connection_changed.emit(state, f"{self.address}: {exc}")
        self._session.server_info_changed.emit(None)

    def check_health(self) -> None:
        if self.client is None or self._health_job is not None:
            return
        job = self._session.runner.run("health", calls.health_job, self.client)
        job.failed.connect(lambda exc: self._session.connection_changed.emit("error", f"{self.address}: {exc}"))
        job.succeeded.connect(self._on_health)
        job.ended.connect(self._health_done)
        self._health_job = job
        job.start()

    def _on_health(self, status: str) -> None:
        if status == "SERVING":
            self._health.setInterval(HEALTH_INTERVAL_MS)
            self._session.connection_changed.emit("connected", self._connected_text())
        else:
            # Up but still loading its engine (health turns SERVING once loaded): look again soon.
            self._health.setInterval(LOADING_POLL_MS)
            self._session.connection_changed.emit(
                "connecting", f"{self.address}: the server is up and loading its engine ({status})")

    def _connected_text(self) -> str:
        info = self.server_info
        return f"{self.address} · foleyline {info.version} · {info.device}" if info else self.address

    def _health_done(self) -> None:
        self._health_job = None

    def stop_checking(self) -> None:
        self._health.stop()

    def close(self) -> None:
        """Stop checking and close the client."""
        self.stop_checking()
        if self.client is not None:
            calls.close_client(self.client)
            self.client = None
