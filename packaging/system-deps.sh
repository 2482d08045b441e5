#!/bin/sh
# The system libraries Foleyline's wheels expect on a Debian or Ubuntu machine, checked and,
# when run as root, installed with apt-get; otherwise it stops with the one command to run.
#
#   sh packaging/system-deps.sh          (make demo and make test run it first)
#   PYTHON=python3.12 sh packaging/system-deps.sh
#
# PyAV, OpenCV, soundfile and torch bundle their native libraries in their wheels; PyQt6's
# wheel bundles Qt but links the display, audio, font and D-Bus libraries of the system. The
# list below is every shared library the PyQt6 modules and plugins Foleyline loads (QtCore,
# QtGui, QtWidgets, QtMultimedia(+Widgets), QtTest, QtSvg, QtDBus; the offscreen, xcb and
# wayland platforms; the FFmpeg media backend; image formats) link outside the wheel, found
# with readelf/ldd over the installed wheel; tests/test_system_deps.py checks it still is.
# Libraries of Debian's "required" set (libc6, libstdc++6, zlib1g, ...) are always there.
#
# Each check is "lib SONAME PACKAGE" (looked up with ldconfig, so an Ubuntu t64 package that
# provides the same library counts), "file GLOB PACKAGE", or "python MODULE PACKAGE".
set -eu

PYTHON="${PYTHON:-python3}"

CHECKS='
python ensurepip                python3-venv
lib    libglib-2.0.so.0         libglib2.0-0
lib    libgthread-2.0.so.0      libglib2.0-0
lib    libdbus-1.so.3           libdbus-1-3
lib    libfontconfig.so.1       libfontconfig1
lib    libfreetype.so.6         libfreetype6
lib    libbrotlidec.so.1        libbrotli1
lib    libgssapi_krb5.so.2      libgssapi-krb5-2
lib    libEGL.so.1              libegl1
lib    libGL.so.1               libgl1
lib    libxkbcommon.so.0        libxkbcommon0
lib    libpulse.so.0            libpulse0
lib    libdrm.so.2              libdrm2
lib    libX11.so.6              libx11-6
lib    libX11-xcb.so.1          libx11-xcb1
lib    libXext.so.6             libxext6
lib    libXrandr.so.2           libxrandr2
lib    libxkbcommon-x11.so.0    libxkbcommon-x11-0
lib    libxcb.so.1              libxcb1
lib    libxcb-cursor.so.0       libxcb-cursor0
lib    libxcb-glx.so.0          libxcb-glx0
lib    libxcb-icccm.so.4        libxcb-icccm4
lib    libxcb-image.so.0        libxcb-image0
lib    libxcb-keysyms.so.1      libxcb-keysyms1
lib    libxcb-randr.so.0        libxcb-randr0
lib    libxcb-render.so.0       libxcb-render0
lib    libxcb-render-util.so.0  libxcb-render-util0
lib    libxcb-shape.so.0        libxcb-shape0
lib    libxcb-shm.so.0          libxcb-shm0
lib    libxcb-sync.so.1         libxcb-sync1
lib    libxcb-util.so.1         libxcb-util1
lib    libxcb-xfixes.so.0       libxcb-xfixes0
lib    libxcb-xkb.so.1          libxcb-xkb1
lib    libwayland-client.so.0   libwayland-client0
lib    libwayland-cursor.so.0   libwayland-cursor0
lib    libwayland-egl.so.1      libwayland-egl1
file   /usr/share/fonts/*/*/*.ttf fonts-dejavu-core
'

if [ "$(uname -s)" != Linux ]; then
    exit 0  # macOS and Windows: the wheels carry what they need
fi
if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: not a Debian or Ubuntu system; install the equivalents of:" >&2
    echo "$CHECKS" | awk 'NF == 3 {print "  " $3 " (" $2 ")"}' | sort -u >&2
    exit 0
fi

known_libs=$( (/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null || true) | awk '{print $1}')

missing=""
add() {
    case " $missing " in *" $1 "*) ;; *) missing="${missing:+$missing }$1" ;; esac
}
while read -r kind what package; do
    [ -n "${kind:-}" ] || continue
    case "$kind" in
        lib)
            printf '%s\n' "$known_libs" | grep -qxF "$what" || add "$package" ;;
        file)
            # shellcheck disable=SC2086  # the glob is meant to expand
            set -- $what
            [ -e "$1" ] || add "$package" ;;
        python)
            if command -v "$PYTHON" >/dev/null 2>&1; then
                "$PYTHON" -c "import $what" >/dev/null 2>&1 || add "$package"
            else
                add python3 && add "$package"
            fi ;;
    esac
done <<EOF
$CHECKS
EOF

if [ -z "$missing" ]; then
    exit 0
fi
command="apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" = 0 ]; then
    echo "system-deps: installing $missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
    exit 0
fi
echo "system-deps: Foleyline needs these system packages: $missing" >&2
echo "system-deps: run this once, then the make command again:" >&2
echo "  sudo $command" >&2
exit 1
