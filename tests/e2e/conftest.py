"""End-to-end fixtures: a copy of an example workspace and a started editor session."""

import shutil
from pathlib import Path

import pytest

from tests.e2e.editor import Editor

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
GREET = 'def greet(name):\n    return "héllo 🙂 " + name.upper()'  # no final newline, on purpose

# Spec warnings from pytest-lsp's checks fail the test.
pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")


@pytest.fixture
def inventory(tmp_path) -> Path:
    root = tmp_path / "inventory"
    shutil.copytree(ROOT / "examples" / "inventory", root)
    return root


@pytest.fixture
def greet_workspace(tmp_path) -> Path:
    root = tmp_path / "greet"
    root.mkdir()
    (root / "greet.py").write_text(GREET)
    return root


def settings(recording: str | None = None, **more) -> dict:
    values = {"trustWorkspace": True, "backgroundCommands": "never", **more}
    if recording:
        values["model"] = f"replay:{DATA / recording}"
    return values


@pytest.fixture
async def editors():
    """Start editors with `await editors(root, ...)`; all are stopped after the test."""
    started: list[Editor] = []

    async def start(root: Path, **options) -> Editor:
        editor = await Editor.start(root, **options)
        started.append(editor)
        return editor

    yield start
    for editor in started:
        await editor.stop()
