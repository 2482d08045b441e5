"""One server to a data folder: a second server on it is refused before it reads the store,
saying which process holds it and what to do; the first one's jobs are left as they are. A
server that stops, or a process that is killed, lets go of the folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from foleyline.plugin.client import FoleyClient
from foleyline.server.app import ServerConfig, start_server
from foleyline.server.data_lock import DataDirLock
from foleyline.server.engines.registry import EngineRegistry
from serverkit import TOKEN, FakeEngine, collect, make_shot

from foleyline.errors import Unavailable

SAFETY_S = 60.0


def _second_server(data_dir: Path, clip_path: Path):
    registry = EngineRegistry.with_engines({"fake": FakeEngine()}, default="fake")
    return start_server(ServerConfig(address="127.0.0.1:0", data_dir=data_dir, allowed_roots=[clip_path.parent],
                                     token=TOKEN, warm_engine_list=False), registry)


def test_a_second_server_on_the_same_data_folder_is_refused_and_leaves_the_first_ones_job_running(
        server, clip_path: Path, fake_engine) -> None:
    fake_engine.held.add("held")
    with FoleyClient(server.address, TOKEN) as client:
        call = client.generate([make_shot(clip_path, shot_id="held")])
        job_id = next(call).job_id
        deadline = time.monotonic() + SAFETY_S
        while not fake_engine.calls and time.monotonic() < deadline:
            time.sleep(0.02)

        with pytest.raises(Unavailable) as refused:
            _second_server(server.store.root, clip_path)
        said = str(refused.value)
        assert f"process {os.getpid()}, listening on 127.0.0.1:{server.port}" in said and str(server.store.root) in said
        assert "--data-dir" in said and "FOLEYLINE_SERVER" in said

        # A second server would have marked it interrupted as it started.
        assert server.store.get_job(job_id).state == "running"
        fake_engine.held.clear()
        assert collect(call)["done"][0].shots_done == 1


def test_a_stopped_server_lets_go_of_its_data_folder(start, clip_path: Path) -> None:
    first = start()
    root = first.store.root
    first.stop(grace=0.5)
    again = _second_server(root, clip_path)
    again.stop(grace=0.5)


def test_a_killed_server_leaves_no_lock_behind(tmp_path: Path) -> None:
    # The kernel lets go of a flock when its process ends, however it ends.
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys, time; from foleyline.server.data_lock import DataDirLock; "
                                "DataDirLock(sys.argv[1]).acquire('127.0.0.1:1'); print('held', flush=True); time.sleep(600)"),
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Unavailable, match=f"process {holder.pid}"):
            DataDirLock(tmp_path).acquire("127.0.0.1:2")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(SAFETY_S)
    DataDirLock(tmp_path).acquire("127.0.0.1:2").release()
