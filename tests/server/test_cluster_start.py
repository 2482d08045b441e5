"""A local Ray whose node does not come up is started once more, with what the failed start left
running stopped first; other failures are not retried (server/cluster/deploy.py says why)."""

from __future__ import annotations

import os

import pytest

from foleyline.capacity import ClusterOptions

TIMED_OUT = ("The current node timed out during startup. This could happen because some of the raylet "
             "failed to startup or the GCS has become overloaded.")


class HalfStartedNode:
    """Stands in for Ray's node object, whose constructor raises after starting processes."""

    def __init__(self, stopped: list, error: Exception | None) -> None:
        self.stopped = stopped
        if error is not None:
            raise error

    def kill_all_processes(self, check_alive: bool = True, allow_graceful: bool = False, wait: bool = False):
        self.stopped.append(wait)


def _init(failures: list[Exception], stopped: list, calls: list):
    def init(**kwargs) -> None:
        calls.append(kwargs)
        HalfStartedNode(stopped, failures.pop(0) if failures else None)
    return init


@pytest.fixture
def deploy_module():
    from foleyline.server.cluster import prepare_ray_environment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "environ", dict(os.environ))  # Ray's switches stay in this test
        prepare_ray_environment(ClusterOptions())
        from foleyline.server.cluster import deploy
        yield deploy


def test_a_node_that_times_out_at_start_is_stopped_and_started_again(deploy_module):
    stopped, calls = [], []
    deploy_module.start_local_ray(ClusterOptions(replicas=2), init=_init([Exception(TIMED_OUT)], stopped, calls))
    assert len(calls) == 2
    assert stopped == [True]                       # the first start's processes, waited for
    assert calls[0]["_node_ip_address"] == "127.0.0.1" and calls[1] == calls[0]


def test_a_node_that_never_comes_up_is_reported_after_the_second_start(deploy_module):
    stopped, calls = [], []
    with pytest.raises(deploy_module.NodeStartTimeout, match="did not start, 2 times"):
        deploy_module.start_local_ray(ClusterOptions(), init=_init([Exception(TIMED_OUT)] * 3, stopped, calls))
    assert len(calls) == 2 and stopped == [True, True]


def test_other_start_failures_are_not_retried(deploy_module):
    stopped, calls = [], []
    with pytest.raises(ValueError, match="num_cpus"):
        deploy_module.start_local_ray(ClusterOptions(), init=_init([ValueError("bad num_cpus")], stopped, calls))
    assert len(calls) == 1 and stopped == []
