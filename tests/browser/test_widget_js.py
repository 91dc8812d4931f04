"""The widget's own unit tests (web/test, `node --test`): links and tel:, emergency detection, contrast, storage."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bot.settings import PROJECT_ROOT


def test_widget_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to build and test the widget (web/)")
    result = subprocess.run([node, "--test", "test/"], cwd=PROJECT_ROOT / "web", capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
