import sys
from pathlib import Path

# Test helpers (fixture_markers) live beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The scripted MockupDB (fixture `scripted_server`), shared by the behaviour tests.
pytest_plugins = ("behaviour_server",)
