import sys

from mongolint.cli import main

sys.exit(main())
