"""Writing the Foley timeline in a chosen format.

The format is, in order: ``fmt`` when given; else the output path's suffix when it names a
format; else the format the timeline was read from; else .otio. Each format's writer is a thin
function; what the adapters get wrong is answered in ``quirks`` (FCPXML at NTSC rates, FCP7 XML
ranges at audio rates, Kdenlive frame rounding), ``edl`` (an EDL of the Foley events: the CMX
writer drops audio tracks) and ``aaf`` (our own Pro Tools AAF: the AAF writer drops markers).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import opentimelineio as otio

from foleyline.errors import InvalidInput
from foleyline.plugin.timeline import quirks
from foleyline.fsutil import atomic_path, write_bytes_atomic
from foleyline.plugin.timeline.formats import FORMATS, Format, _BY_SUFFIX, format_by_name, source_format
from foleyline.plugin.timeline.relink import absolute_media_paths
from foleyline.plugin.timeline.writeback import Placement, build_foley_timeline, placed_clips

__all__ = ["write_foley_timeline", "choose_format", "write_timeline"]


def choose_format(timeline: otio.schema.Timeline, out_path: Path, fmt: str | None) -> Format:
    if fmt:
        return format_by_name(fmt)
    suffix = out_path.suffix.lower()
    if suffix in _BY_SUFFIX:
        return FORMATS[_BY_SUFFIX[suffix]]
    if suffix == ".xml":
        read = source_format(timeline)
        return FORMATS[read] if read in ("fcp7", "fcpx") else FORMATS["fcp7"]
    read = source_format(timeline)
    # a live source (Resolve) has no file format of its own: .otio
    return FORMATS.get(read or "otio", FORMATS["otio"])


def _suffixes_of(chosen: Format) -> tuple[str, ...]:
    return (chosen.suffix, ".xml") if chosen.name in ("fcp7", "fcpx") else (chosen.suffix,)


def write_foley_timeline(
    timeline: otio.schema.Timeline,
    placements: Sequence[Placement],
    out_path: str | Path,
    *,
    fmt: str | None = None,
    expose_handles: bool = False,
) -> Path:
    """Write ``timeline`` plus Foley tracks for ``placements`` to ``out_path`` and return the path
    written (a suffix is added when ``out_path`` has none). The input timeline is not changed.

    fmt: "otio", "otioz", "fcp7", "fcpx", "edl", "aaf", "kdenlive" or None (see module doc).
    expose_handles: clips show their handles instead of being cut to their shots (see writeback).
    """
    out_path = Path(out_path)
    chosen = choose_format(timeline, out_path, fmt)
    if out_path.suffix.lower() not in _suffixes_of(chosen):
        # "cut.v2_foley" has no timeline suffix: keep the whole name and add one
        out_path = out_path.with_name(out_path.name + chosen.suffix)
    if chosen.name == "edl":
        from foleyline.plugin.timeline import edl

        # four audio channels hold the placed takes, not their alternates (preflight says so)
        placed = [p for p in placements if not p.alternate]
        return edl.write_foley_edl(timeline, placed_clips(timeline, placed, trim_overlaps=True, expose_handles=expose_handles), out_path)
    if chosen.name == "aaf":
        from foleyline.plugin.timeline import aaf

        return aaf.write_foley_aaf(timeline, placed_clips(timeline, placements, expose_handles=expose_handles), out_path)
    result = build_foley_timeline(timeline, placements, expose_handles=expose_handles)
    absolute_media_paths(result)
    return write_timeline(result, out_path, chosen, owned=True)


def write_timeline(timeline: otio.schema.Timeline, out_path: Path, chosen: Format, *, owned: bool = False) -> Path:
    """Any timeline through an OTIO adapter, with its quirks answered, written atomically.
    ``owned``: the timeline is a copy made for this write, and may be changed by it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if chosen.name == "otioz":
                with atomic_path(out_path) as tmp:
                    tmp.unlink()  # the bundle writer refuses to overwrite
                    # media that is not on this machine becomes a missing reference in the bundle
                    # rather than failing the write; the Foley WAVs are here and get bundled
                    otio.adapters.write_to_file(
                        quirks.resolve_generated_as_read(timeline, owned=owned), str(tmp), adapter_name="otioz",
                        media_policy=otio.adapters.file_bundle_utils.MediaReferencePolicy.MissingIfNotFile,
                    )
                return out_path
            text = quirks.write_string(timeline, chosen.name, chosen.adapter, owned=owned)
    except InvalidInput:
        raise
    except Exception as exc:
        raise InvalidInput(
            f"the {chosen.label} writer failed ({type(exc).__name__}: {exc}); write .otio instead (--format otio)"
        ) from exc
    return write_bytes_atomic(out_path, text.encode("utf-8"))
