import os
import sys

# `python -m mongolint` puts the working directory first on sys.path, so the
# project being checked could shadow the modules mongolint imports next (a
# `json.py` or `tokenize.py` of its own would run). mongolint never imports the
# code it reads: drop that entry unless mongolint itself was found there.
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    if os.path.dirname(os.path.dirname(os.path.abspath(__file__))) != os.getcwd():
        del sys.path[0]

from mongolint.cli import main  # noqa: E402

sys.exit(main())
