"""Workspace: confinement (nothing outside is read or written), buffers, overlay, listing."""

import os
import shutil
from pathlib import Path

import pytest

from tools.workspace import Workspace, WorkspaceError


@pytest.fixture
def tree(tmp_path):
    """A workspace with a secret next to it, outside."""
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text("x = 1\n")
    (root / "README.md").write_text("# hello\n")
    (tmp_path / "secret.txt").write_text("TOP-SECRET")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "data.txt").write_text("TOP-SECRET-DIR")
    return root


def snapshot(path: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file() and not p.is_symlink()}


ESCAPES = [
    "../secret.txt",
    "pkg/../../secret.txt",
    "/etc/passwd",
    "link_file",
    "link_dir/data.txt",
    "chain_a",
    "pkg/\0evil",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_paths_outside_the_root_are_refused_and_touch_nothing(tree, path):
    (tree / "link_file").symlink_to(tree.parent / "secret.txt")
    (tree / "link_dir").symlink_to(tree.parent / "outside")
    (tree / "chain_b").symlink_to(tree.parent / "secret.txt")
    (tree / "chain_a").symlink_to(tree / "chain_b")
    before = snapshot(tree.parent)
    ws = Workspace(tree)
    with pytest.raises(WorkspaceError):
        ws.read_text(path)
    with pytest.raises(WorkspaceError):
        ws.write_text(path, "overwritten")
    assert snapshot(tree.parent) == before
    assert ws.changes() == []


def test_absolute_paths_inside_the_root_are_fine(tree):
    ws = Workspace(tree)
    assert ws.read_text(str(tree / "pkg" / "mod.py")) == "x = 1\n"
    assert ws.relative(tree / "pkg" / "mod.py") == "pkg/mod.py"


def test_symlink_loops_and_special_files_are_refused(tree):
    (tree / "loop").symlink_to(tree / "loop")
    os.mkfifo(tree / "fifo")
    ws = Workspace(tree)
    with pytest.raises(WorkspaceError):
        ws.read_text("loop")
    with pytest.raises(WorkspaceError, match="not a regular file"):
        ws.read_text("fifo")
    assert "loop" not in list(ws.iter_files())


def test_binary_non_utf8_huge_and_directory_reads_are_clear_errors(tree):
    (tree / "blob.dat").write_bytes(b"\x00\x01\x02" * 100)
    (tree / "latin1.txt").write_bytes("café".encode("latin-1"))
    (tree / "big.txt").write_bytes(b"a" * (6 * 1024 * 1024))
    ws = Workspace(tree)
    with pytest.raises(WorkspaceError, match="binary"):
        ws.read_text("blob.dat")
    with pytest.raises(WorkspaceError, match="not UTF-8"):
        ws.read_text("latin1.txt")
    with pytest.raises(WorkspaceError, match="over 5 MB"):
        ws.read_text("big.txt")
    with pytest.raises(WorkspaceError, match="is a directory"):
        ws.read_text("pkg")
    with pytest.raises(WorkspaceError, match="does not exist"):
        ws.read_text("nope.py")


def test_editor_buffers_win_over_the_disk_and_agent_edits_over_both(tree):
    ws = Workspace(tree)
    ws.open_buffer("pkg/mod.py", "x = 2  # unsaved\n", version=7)
    assert ws.read_text("pkg/mod.py") == "x = 2  # unsaved\n"
    ws.write_text("pkg/mod.py", "x = 3\n")
    assert ws.read_text("pkg/mod.py") == "x = 3\n"
    assert (tree / "pkg" / "mod.py").read_text() == "x = 1\n"  # the disk is never written
    [change] = ws.changes()
    assert (change.path, change.before, change.after, change.version, change.kind) == (
        "pkg/mod.py",
        "x = 2  # unsaved\n",
        "x = 3\n",
        7,
        "modify",
    )


def test_new_deleted_and_undone_files(tree):
    ws = Workspace(tree)
    ws.write_text("pkg/new.py", "y = 1\n")
    ws.delete("README.md")
    ws.write_text("pkg/mod.py", "x = 5\n")
    ws.write_text("pkg/mod.py", "x = 6\n")
    ws.undo("pkg/mod.py")
    assert ws.read_text("pkg/mod.py") == "x = 5\n"
    kinds = {c.path: c.kind for c in ws.changes()}
    assert kinds == {"README.md": "delete", "pkg/mod.py": "modify", "pkg/new.py": "create"}
    assert not ws.exists("README.md")
    assert "pkg/new.py" in list(ws.iter_files()) and "README.md" not in list(ws.iter_files())
    ws.undo("pkg/mod.py")
    ws.undo("pkg/new.py")
    assert {c.path for c in ws.changes()} == {"README.md"}
    with pytest.raises(WorkspaceError, match="no edit"):
        ws.undo("pkg/mod.py")
    assert not (tree / "pkg" / "new.py").exists() and (tree / "README.md").exists()


def test_writing_back_the_original_text_is_no_change(tree):
    ws = Workspace(tree)
    ws.write_text("pkg/mod.py", "x = 9\n")
    ws.write_text("pkg/mod.py", "x = 1\n")
    assert ws.changes() == []


def test_listing_respects_gitignore_and_skips_vendor_dirs(tree):
    (tree / ".gitignore").write_text("build/\n*.log\n!keep.log\n")
    (tree / "pkg" / ".gitignore").write_text("generated_*.py\n")
    for rel in [
        "build/out.py",
        "debug.log",
        "keep.log",
        "pkg/generated_a.py",
        "node_modules/x/index.js",
        ".git/config",
        ".venv/lib/site.py",
        "env2/pyvenv.cfg",
        "env2/lib.py",
        "pkg/__pycache__/m.pyc",
        "image.png",
    ]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text("x")
    assert list(Workspace(tree).iter_files()) == [".gitignore", "README.md", "keep.log", "pkg/.gitignore", "pkg/mod.py"]
    assert list(Workspace(tree).iter_files("pkg")) == ["pkg/.gitignore", "pkg/mod.py"]


def test_the_root_must_be_a_directory(tmp_path):
    with pytest.raises(WorkspaceError, match="not a directory"):
        Workspace(tmp_path / "missing")


def test_a_file_deleted_on_disk_while_the_agent_works(tree):
    ws = Workspace(tree)
    assert ws.read_text("pkg/mod.py")
    shutil.rmtree(tree / "pkg")
    with pytest.raises(WorkspaceError, match="does not exist"):
        ws.read_text("pkg/mod.py")
    assert list(ws.iter_files()) == ["README.md"]
