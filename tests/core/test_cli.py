import os
import subprocess
import sys
from pathlib import Path

WULIAN = Path(sys.executable).parent / "wulian"


def test_wulian_help_lists_the_projects_commands():
    out = subprocess.run(
        [str(WULIAN), "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "WULIAN_ENV": "test"},
    ).stdout
    assert "demo" in out and "createadmin" in out and "messages" in out
    assert "migrate" in out  # the pass-through is explained


def test_wulian_passes_other_commands_through_to_django():
    result = subprocess.run(
        [str(WULIAN), "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "WULIAN_ENV": "test"},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
