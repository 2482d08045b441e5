"""Generated gRPC stubs for ``protos/foleyline/v1/foley.proto``.

Regenerate with ``python -m foleyline.protos.generate``; a test fails when the stubs drift
from the .proto.
"""
