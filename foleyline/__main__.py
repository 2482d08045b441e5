import sys

from foleyline.cli import console

sys.exit(console())
