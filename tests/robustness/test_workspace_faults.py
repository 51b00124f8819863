"""Workspace faults, driven through the agent's own tools (tools/toolset.py) and a whole
CodeAgent run: files deleted, made read-only or replaced by a directory while the agent
works; binary, 50 MB and non-UTF-8 files; symlink loops and links out of the workspace;
a workspace of 20,000 files.

Each fault must give the model a clear observation (the error names the file), never
hang, and never write anything outside the overlay: the tree around the workspace is
snapshotted before and compared byte for byte (and mode for mode) after.

Tallied per fault injected; a test's faults count as survived only when all its checks hold.
"""

import os
import shutil
import stat
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest

from agent import CodeAgent, ScriptedModel
from agent.errors import AgentExecutionError
from tests.robustness.report import tally
from tools.edits import EditError
from tools.toolset import ToolContext, ToolSettings, workspace_tools
from tools.workspace import Workspace, WorkspaceError

# "No hang" budgets: far above what these take (well under a second each, alone),
# so a shared, loaded CI machine never trips them; a hang does.
NO_HANG_SECONDS = 60


def snapshot(top: Path) -> dict:
    """Everything under `top`: file bytes and modes, link targets, folders."""
    seen = {}
    for path in sorted(top.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            seen[path] = ("link", os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            seen[path] = ("dir", stat.S_IMODE(info.st_mode))
        elif info.st_size > 1024 * 1024:  # the big sparse files: size and mtime, not 50 MB of bytes
            seen[path] = ("big", info.st_size, info.st_mtime_ns, stat.S_IMODE(info.st_mode))
        else:
            seen[path] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode))
    return seen


class Agent:
    """The agent's tools on one workspace, called as the CodeAgent's code calls them."""

    def __init__(self, root: Path):
        self.context = ToolContext(Workspace(root), ToolSettings(trusted=True, test_timeout=NO_HANG_SECONDS))
        self.tools = {t.name: t for t in workspace_tools(self.context)}

    def __call__(self, name: str, *args, **kwargs) -> tuple[bool, str]:
        """(worked, observation). Errors the model can fix come back as text; anything
        else is a bug and raises."""
        try:
            return True, self.tools[name](*args, **kwargs)
        except (WorkspaceError, EditError) as e:
            return False, str(e)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def project(tmp_path):
    """A small project, with a secret beside it (outside the workspace)."""
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text("VALUE = 1\n")
    (root / "app.py").write_text("def greet():\n    return 'hi'\n")
    (root / "test_app.py").write_text("from app import greet\n\n\ndef test_greet():\n    assert greet() == 'hi'\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("TOP-SECRET\n")
    return root


@pytest.fixture
def agent(project):
    agent = Agent(project)
    yield agent
    agent.close()


def test_file_deleted_mid_task(project, agent):
    checks = []
    assert agent("read_file", "app.py")[0]
    (project / "app.py").unlink()
    before = snapshot(project.parent)
    worked, seen = agent("read_file", "app.py")
    checks.append(not worked and "app.py does not exist" in seen)
    worked, seen = agent("edit_file", "app.py", "return 'hi'", "return 'hello'")
    checks.append(not worked and "app.py does not exist" in seen)
    listed = agent("list_files")[1].splitlines()
    checks.append("app.py" not in listed and "No matches" in agent("search", "return 'hi'")[1])
    worked, seen = agent("run_tests")  # the test now fails to import app: a failing test, not a crash
    checks.append(worked and seen.startswith("Tests error") and "app" in seen)

    # Deleted after the agent edited it: the agent's edit stands, tests run on it.
    assert agent("edit_file", "pkg/mod.py", "VALUE = 1", "VALUE = 2")[0]
    (project / "pkg" / "mod.py").unlink()
    del before[project / "pkg" / "mod.py"]
    worked, seen = agent("read_file", "pkg/mod.py")
    checks.append(worked and "VALUE = 2" in seen)
    checks.append(agent("write_file", "app.py", "def greet():\n    return 'hi'\n")[0])
    checks.append(agent("run_tests")[1].startswith("Tests passed"))
    after = snapshot(project.parent)
    lost = int(after != before)
    tally("workspace: file deleted mid-task", injected=2, survived=2 * all(checks), lost=lost)
    assert checks == [True] * len(checks)
    assert after == before


def test_read_only_files_and_folders(project, agent):
    """The agent edits in the overlay, so a read-only file is editable and stays as it
    was on disk, mode included; the shadow copy's read-only copy is replaced, not
    written through. (As root, which CI is, the modes do not stop writes, so what is
    checked is what the user sees: their files unchanged, the edits in the proposal.)"""
    (project / "app.py").chmod(0o444)
    (project / "pkg").chmod(0o555)
    try:
        before = snapshot(project.parent)
        checks = [agent("run_tests")[1].startswith("Tests passed")]  # the shadow now holds a 0444 copy
        checks.append(agent("edit_file", "app.py", "return 'hi'", "return 'hello'")[0])
        checks.append(agent("write_file", "pkg/extra.py", "EXTRA = 1\n")[0])
        checks.append(agent("edit_file", "test_app.py", "== 'hi'", "== 'hello'")[0])
        worked, seen = agent("run_tests")
        checks.append(worked and seen.startswith("Tests passed"))
        checks.append(agent("edit_file", "app.py", "return 'hello'", "return 'hey'")[0])
        checks.append(agent("run_tests")[1].startswith("Tests failed"))  # the second edit reached the copy too
        changed = {c.path: c.kind for c in agent.context.workspace.changes()}
        checks.append(changed == {"app.py": "modify", "pkg/extra.py": "create", "test_app.py": "modify"})
        after = snapshot(project.parent)
    finally:
        (project / "pkg").chmod(0o755)
    tally("workspace: read-only files", injected=2, survived=2 * all(checks), lost=int(after != before))
    assert checks == [True] * len(checks)
    assert after == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(project, agent):
    (project / "pkg" / "mod.py").chmod(0)
    worked, seen = agent("read_file", "pkg/mod.py")
    assert not worked and "pkg/mod.py" in seen and "Permission denied" in seen
    assert agent("run_tests")[1].startswith("Tests passed")


def test_file_and_folder_swapped_for_each_other(project, agent):
    (project / "test_shape.py").write_text(
        "import os\n\n\ndef test_shape():\n"
        "    assert os.path.isfile('pkg') and os.path.isdir('app.py')\n"
        "    assert os.path.isfile('app.py/inner.py')\n"
    )
    assert agent("run_tests", "test_app.py")[1].startswith("Tests passed")  # the copy has the old shape
    shutil.rmtree(project / "pkg")
    (project / "pkg").write_text("now a file\n")
    (project / "app.py").unlink()
    (project / "app.py").mkdir()
    (project / "app.py" / "inner.py").write_text("INNER = 1\n")
    before = snapshot(project.parent)
    checks = []
    worked, seen = agent("read_file", "app.py")
    checks.append(not worked and "app.py is a directory" in seen)
    worked, seen = agent("write_file", "app.py", "x = 1\n")
    checks.append(not worked and "app.py is a directory" in seen)
    worked, seen = agent("write_file", "pkg/mod.py", "VALUE = 3\n")
    checks.append(not worked and "pkg is a file" in seen)
    checks.append(agent("read_file", "pkg")[0])
    worked, seen = agent("run_tests", "test_shape.py")  # the shadow copy follows the new shape
    checks.append(worked and seen.startswith("Tests passed"))
    after = snapshot(project.parent)
    lost = int(after != before)
    tally("workspace: file replaced by a folder", injected=2, survived=2 * all(checks), lost=lost)
    assert checks == [True] * len(checks), seen
    assert after == before
    assert agent.context.workspace.changes() == []


def test_binary_huge_and_non_utf8_files(project, agent):
    with open(project / "dump.sql", "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB to every reader, no time to write
    with open(project / "big_table.py", "wb") as f:
        f.write(b"ROWS = [\n")
        f.truncate(50 * 1024 * 1024)
    (project / "logo").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" * 100)
    (project / "legacy.txt").write_bytes("caf\xe9 greet()\n".encode("latin-1"))
    before = snapshot(project.parent)
    observations = {}
    tracemalloc.start()
    started = time.monotonic()
    for path in ("dump.sql", "big_table.py", "logo", "legacy.txt"):
        observations[path] = agent("read_file", path)
        observations[f"outline {path}"] = agent("outline", path)
    observations["search"] = agent("search", "greet()")
    observations["list"] = agent("list_files")
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    observations["tests"] = agent("run_tests")  # the shadow copy takes the big files along

    checks = [
        observations["dump.sql"] == (False, "dump.sql is 50 MB; files over 5 MB are not read"),
        observations["big_table.py"] == (False, "big_table.py is 50 MB; files over 5 MB are not read"),
        observations["outline big_table.py"][0] is False,
        observations["logo"] == (False, "logo is a binary file"),
        observations["legacy.txt"] == (False, "legacy.txt is not UTF-8 text"),
        "Not searched: big_table.py (over 5 MB), dump.sql (over 5 MB), legacy.txt (not UTF-8)"
        in observations["search"][1],
        "dump.sql" in observations["list"][1],
        observations["tests"][1].startswith("Tests passed"),
        not agent("write_file", "legacy.txt", "cafe\n")[0],  # rewriting would lose what it could not read
        peak < 10 * 1024 * 1024,  # nothing read the 50 MB files whole
        elapsed < NO_HANG_SECONDS,
    ]
    longest = max(len(text) for _, text in observations.values())
    after = snapshot(project.parent)
    lost = int(after != before)
    tally("workspace: 50 MB, binary and non-UTF-8 files", injected=4, survived=4 * all(checks), lost=lost)
    assert checks == [True] * len(checks), observations
    assert longest < 2000
    assert after == before


def test_symlink_loops_and_links_out_of_the_workspace(project, agent):
    outside = project.parent / "outside"
    (project / "loop").symlink_to(project / "loop")
    (project / "pkg" / "again").symlink_to(project / "pkg")  # a folder loop
    (project / "secret_link").symlink_to(outside / "secret.txt")
    (project / "outside_dir").symlink_to(outside)
    (project / "test_isolated.py").write_text(
        "import os\n\n\ndef test_isolated():\n"
        "    for folder, _, names in os.walk('.'):\n"
        "        for name in names:\n"
        "            with open(os.path.join(folder, name), 'rb') as f:\n"
        "                assert b'TOP-' + b'SECRET' not in f.read(), name\n"
    )
    before = snapshot(project.parent)
    checks = []
    for path in ("loop", "secret_link", "outside_dir/secret.txt"):
        worked, seen = agent("read_file", path)
        checks.append(not worked and ("outside the workspace" in seen or "cannot resolve" in seen))
        checks.append(not agent("write_file", path, "overwritten\n")[0])
    worked, seen = agent("read_file", "pkg/again/again/mod.py")  # a loop inside: another name for a file
    checks.append(worked and "VALUE = 1" in seen)
    listed = agent("list_files")[1]
    checks.append(not any(name in listed for name in ("loop", "secret", "outside", "again")))
    checks.append(agent("search", "TOP-SECRET")[1] == "No matches for 'TOP-SECRET'.")
    worked, seen = agent("run_tests")  # the shadow copy holds nothing from outside
    checks.append(worked and seen.startswith("Tests passed"))
    checks.append(agent.context.workspace.changes() == [])
    after = snapshot(project.parent)
    lost = int(after != before)
    tally("workspace: symlink loops and links outside", injected=4, survived=4 * all(checks), lost=lost)
    assert checks == [True] * len(checks), (checks, listed, seen)
    assert after == before


@pytest.fixture
def fast_tmp(tmp_path, monkeypatch):
    """A folder in memory (tmpfs) where there is one, for the workspace and its shadow
    copy: creating 20,000 files on this machine's disk takes 10 s, in memory 0.3 s."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="agentls-robustness-", dir=shm))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))  # where ShadowCopy makes its copy
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_workspace_of_20000_files(fast_tmp):
    root = fast_tmp / "big"
    for i in range(200):
        folder = root / f"module_{i:03}"
        folder.mkdir(parents=True)
        for j in range(100):
            (folder / f"part_{j:03}.py").write_text(f"VALUE_{j} = {i * 100 + j}\n")
    (root / "module_123" / "part_045.py").write_text("NEEDLE = 'found me'\n")
    agent = Agent(root)
    try:
        timings, checks = {}, []
        started = time.monotonic()
        worked, listed = agent("list_files")
        timings["list"] = time.monotonic() - started
        checks.append(worked and "… and 19800 more" in listed)
        started = time.monotonic()
        worked, found = agent("search", "NEEDLE")
        timings["search"] = time.monotonic() - started
        checks.append(worked and "module_123/part_045.py" in found and "1 matches in 1 files" in found)
        started = time.monotonic()
        shadow_root = agent.context.shadow.sync(agent.context.workspace)
        timings["first sync"] = time.monotonic() - started
        agent("edit_file", "module_000/part_000.py", "VALUE_0 = 0", "VALUE_0 = -1")
        started = time.monotonic()
        agent.context.shadow.sync(agent.context.workspace)
        timings["second sync"] = time.monotonic() - started
        copied = sum(1 for _ in shadow_root.rglob("*.py"))
        checks.append(copied == 20_000)
        checks.append((shadow_root / "module_000" / "part_000.py").read_text() == "VALUE_0 = -1\n")
        checks.append((root / "module_000" / "part_000.py").read_text() == "VALUE_0 = 0\n")
        checks.append(all(seconds < NO_HANG_SECONDS for seconds in timings.values()))
    finally:
        agent.close()
    tally("workspace: 20,000 files", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), timings


# -- a whole CodeAgent run -------------------------------------------------------


class FaultInjectingModel(ScriptedModel):
    """A ScriptedModel that does something to the workspace before given answers."""

    def __init__(self, answers: list[str], faults: dict[int, callable]):
        super().__init__(answers)
        self.faults = faults

    def generate(self, messages, *args, **kwargs):
        fault = self.faults.get(self.position)
        if fault is not None:
            fault()
        return super().generate(messages, *args, **kwargs)


def action(code: str) -> str:
    return f"Next step.\n```python\n{code}\n```"


def test_a_code_agent_run_meets_the_faults_as_observations_and_finishes(project):
    outside = project.parent / "outside"
    untouched = {"outside": snapshot(outside), "test_app.py": (project / "test_app.py").read_bytes()}

    def delete_app():
        (project / "app.py").unlink()

    def add_huge_and_looping_files():
        with open(project / "huge.log", "wb") as f:
            f.truncate(50 * 1024 * 1024)
        (project / "loop").symlink_to(project / "loop")
        (project / "leak").symlink_to(outside / "secret.txt")

    def replace_pkg_with_a_file():
        shutil.rmtree(project / "pkg")
        (project / "pkg").write_text("a file now\n")

    model = FaultInjectingModel(
        [
            action("print(read_file('app.py'))"),
            action("print(read_file('app.py'))"),
            action("print(read_file('huge.log'))"),
            action("print(read_file('loop'))"),
            action("print(read_file('leak'))"),
            action("write_file('pkg/mod.py', 'VALUE = 2\\n')"),
            action("print(write_file('app.py', 'def greet():\\n    return \\'hi\\'\\n'))\nprint(run_tests())"),
            action("final_answer('recreated app.py')"),
        ],
        faults={1: delete_app, 2: add_huge_and_looping_files, 5: replace_pkg_with_a_file},
    )
    agent = Agent(project)
    code_agent = CodeAgent(tools=list(agent.tools.values()), model=model, max_steps=10)
    try:
        started = time.monotonic()
        answer = code_agent.run("Look around and fix app.py.")
        elapsed = time.monotonic() - started
        steps = code_agent.memory.action_steps()
        changes = {c.path: c.kind for c in agent.context.workspace.changes()}
    finally:
        code_agent.close()
        agent.close()

    expected_errors = {
        2: "WorkspaceError: app.py does not exist",
        3: "huge.log is 50 MB",
        4: "WorkspaceError: loop: cannot resolve",
        5: "WorkspaceError: leak is outside the workspace",
        6: "WorkspaceError: pkg is a file, so pkg/mod.py cannot be created",
    }
    checks = []
    for number, text in expected_errors.items():
        error = steps[number - 1].error
        checks.append(isinstance(error, AgentExecutionError) and text in str(error) and len(str(error)) < 2000)
    checks.append(steps[6].error is None and "Tests passed" in steps[6].observations)
    checks.append(answer == "recreated app.py" and len(steps) == 8 and elapsed < NO_HANG_SECONDS)
    checks.append(changes == {"app.py": "create"})
    checks.append("TOP-SECRET" not in str([m.content for m in code_agent.memory.to_messages(keep_observations=10)]))
    now = {"outside": snapshot(outside), "test_app.py": (project / "test_app.py").read_bytes()}
    lost = int(now != untouched or (project / "app.py").exists())  # app.py was recreated in the overlay only
    tally("workspace: faults in a CodeAgent run", injected=5, survived=5 * all(checks), lost=lost)
    assert checks == [True] * len(checks), [(s.error, s.observations) for s in steps]
    assert now == untouched and lost == 0
