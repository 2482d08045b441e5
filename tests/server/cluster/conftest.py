"""The cluster tests run in a Python of their own (tests/server/test_cluster_process.py), not in
the suite's process.

Ray starts its processes with a ``preexec_fn``, so each is a fork that runs Python before it
executes, and in that child Python lets go of what the parent's other threads held. After the
rest of the suite, some of that was a PyAV scaler with threads of its own; freeing it in the
child waited forever in ``pthread_cond_destroy`` and the whole suite hung at Ray's start. A
server deployed on Ray starts Ray before it decodes anything, as a fresh interpreter does here."""

import os

OWN_PROCESS_ENV = "FOLEYLINE_CLUSTER_TESTS"

if os.environ.get(OWN_PROCESS_ENV) != "1":
    collect_ignore = ["test_ray_serve.py"]
