"""The desktop panel (PyQt6): shot list, picture, notes, takes, server, export.

The panel talks to the server only through ``foleyline.plugin.client`` (gRPC), never by
importing ``foleyline.server``; every call runs on a worker thread (see ``jobs.py``).
"""

import os

# superqt goes through qtpy; pin it to the binding the panel is written for, so an unrelated
# PySide/PyQt5 install can never be picked up and mix two Qt libraries in one process.
os.environ.setdefault("QT_API", "pyqt6")
