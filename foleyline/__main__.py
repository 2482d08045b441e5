import sys

from foleyline.cli import main

sys.exit(main())
