"""packaging/system-deps.sh names every system library the installed wheels link.

Reads the dynamic section (DT_NEEDED) of the native modules Foleyline loads — PyQt6's modules
and plugins, PyAV, OpenCV, soundfile, soxr, numpy, scipy — follows the libraries bundled in the
wheels, and checks that each library from outside the wheels is one the script checks for, or
one of Debian's "required" set that every Debian or Ubuntu system has.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "packaging" / "system-deps.sh"

# libc6, libgcc-s1, libstdc++6, zlib1g, libbz2-1.0, libzstd1, liblzma5: Priority required
# (dpkg and apt depend on them), so a minimal Debian has them.
REQUIRED = re.compile(
    r"^(ld-linux.*|lib(c|m|dl|pthread|rt|resolv|mvec|util)\.so\.\d+|libgcc_s\.so\.1|libstdc\+\+\.so\.6|"
    r"libz\.so\.1|libbz2\.so\.1(\.0)?|libzstd\.so\.1|liblzma\.so\.5)$"
)
# The PyQt6 modules Foleyline and its tests import, and the plugin folders Qt loads for them.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtMultimedia", "QtMultimediaWidgets", "QtTest", "QtSvg", "QtDBus")
QT_PLUGIN_DIRS = ("platforms", "multimedia", "imageformats", "iconengines", "xcbglintegrations", "tls",
                  "platforminputcontexts", "generic", "wayland-shell-integration",
                  "wayland-graphics-integration-client", "wayland-decoration-client")
OTHER_PACKAGES = ("av", "cv2", "soundfile", "_soundfile_data", "soxr", "numpy", "scipy")


def checked_libraries() -> set[str]:
    return set(re.findall(r"^lib\s+(\S+)\s+\S+$", SCRIPT.read_text(), flags=re.M))


def needed(path: Path) -> list[str]:
    try:
        with open(path, "rb") as handle:
            elf = ELFFile(handle)
            return [tag.needed for section in elf.iter_sections() if isinstance(section, DynamicSection)
                    for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]
    except ELFError:
        return []


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return origin.parent if origin.name == "__init__.py" else origin.parent / name


def roots() -> tuple[list[Path], Path]:
    site = package_dir("PyQt6")
    assert site is not None, "PyQt6 is not installed (the 'panel' extra)"
    qt = site / "Qt6"
    start = [site / f"{m}.abi3.so" for m in QT_MODULES]
    start += [so for d in QT_PLUGIN_DIRS for so in sorted((qt / "plugins" / d).glob("*.so"))]
    for name in OTHER_PACKAGES:
        folder = package_dir(name)
        if folder is not None and folder.is_dir():
            start += sorted(folder.rglob("*.so*"))
    return [p for p in start if p.is_file()], site.parent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries: Linux only")
def test_every_system_library_the_wheels_link_is_checked_by_the_script():
    start, site_packages = roots()
    bundled = {p.name: p for p in site_packages.rglob("*.so*") if p.is_file()}
    seen: set[Path] = set()
    outside: dict[str, str] = {}
    queue = list(start)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in needed(path):
            if name in bundled:
                queue.append(bundled[name])
            elif not REQUIRED.match(name):
                outside.setdefault(name, path.name)
    assert len(seen) > 50, "found too few native modules to mean anything"
    unlisted = {name: by for name, by in outside.items() if name not in checked_libraries()}
    assert not unlisted, f"add these to packaging/system-deps.sh (library: linked by): {unlisted}"
