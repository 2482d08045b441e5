"""The generated stubs are what the .proto says; the API is what DESIGN.md asks for."""

from foleyline.protos import generate
from foleyline.protos.v1 import foley_pb2


def test_stubs_match_the_proto_file():
    expected = generate.generated_sources()
    for name, text in expected.items():
        on_disk = (generate.OUT_DIR / name).read_text()
        assert on_disk == text, f"{name} drifts from {generate.PROTO_FILE}: run `make stubs`"


def test_service_offers_the_design_rpcs():
    service = foley_pb2.DESCRIPTOR.services_by_name["Foley"]
    methods = {m.name: m for m in service.methods}
    for name in ("GetServerInfo", "DraftNotes", "EditNotes", "Generate", "ListTakes", "GetTake",
                 "FetchAudio", "CancelJob", "ResumeJob", "UploadMedia"):
        assert name in methods, name
    assert methods["Generate"].server_streaming
    assert methods["FetchAudio"].server_streaming
    assert methods["DraftNotes"].server_streaming
    assert methods["UploadMedia"].client_streaming


def test_generate_event_carries_every_stage_of_a_job():
    oneof = foley_pb2.GenerateEvent.DESCRIPTOR.oneofs_by_name["event"]
    assert {f.name for f in oneof.fields} >= {"accepted", "progress", "take_ready", "shot_failed", "done"}
