"""Foleyline for DaVinci Resolve Studio: Workspace > Scripts > Utility > Foleyline.

Sends the shots between the current timeline's in and out marks (all shots when no marks are
set) to the Foleyline server, and puts the first take of each on new audio tracks ("Foley BG",
"Foley FX", "Foley") with a marker per take (notes as the marker note, take id as custom data).

Needs a running server (`foleyline serve`, or FOLEYLINE_SERVER) and the foleyline package on
Resolve's Python path: `foleyline resolve install` writes FOLEYLINE_SITE below; the FOLEYLINE_SITE environment
variable overrides it. Resolve's Python must be the same version as the one foleyline runs in.
"""

import os
import site
import sys

FOLEYLINE_SITE = ""  # written by `foleyline resolve install`


def _add_site():
    for folder in (os.environ.get("FOLEYLINE_SITE"), FOLEYLINE_SITE):
        if folder and os.path.isdir(folder) and folder not in sys.path:
            site.addsitedir(folder)  # its .pth files too: an editable install is found through one


def _resolve_object():
    # Resolve injects `resolve` (and `bmd`) into scripts run from its menu
    found = globals().get("resolve")
    if found is not None:
        return found
    bmd_module = globals().get("bmd")
    if bmd_module is not None:
        return bmd_module.scriptapp("Resolve")
    from foleyline.plugin.timeline.resolve import connect_resolve

    return connect_resolve()


def main():
    _add_site()
    try:
        from foleyline import config
        from foleyline.errors import FoleylineError
        from foleyline.plugin.client import FoleyClient
        from foleyline.plugin.timeline.resolve import ResolveBridge
        from foleyline.plugin.timeline.resolve_run import foley_for_current_timeline
    except ImportError as exc:
        print(f"Foleyline: cannot import the foleyline package ({exc}); run `foleyline resolve install` "
              "from the Python environment foleyline is installed in, or set FOLEYLINE_SITE")
        return 2
    try:
        bridge = ResolveBridge(_resolve_object())
        audio_dir = config.data_dir() / "resolve" / (bridge.timeline.GetName() or "timeline")
        with FoleyClient.configured() as client:
            client.health(wait=5.0)
            result = foley_for_current_timeline(bridge, client, audio_dir, progress=lambda m: print(f"Foleyline: {m}"))
    except FoleylineError as exc:
        print(f"Foleyline: {exc}")
        return 2
    print(f"Foleyline: placed {len(result.placed)} clip(s) on {', '.join(result.track_indexes)}")
    for problem in result.problems:
        print(f"Foleyline: note: {problem}")
    return 0


if __name__ == "__main__" or "resolve" in globals():
    main()
