"""Each tool on real files in a temp workspace: real ruff, real pytest, real jedi."""

import shutil
import threading
import time
from pathlib import Path

import pytest

from tools import files, lint, navigation, testing
from tools.edits import EditError
from tools.shadow import ShadowCopy
from tools.workspace import Workspace, WorkspaceError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "inventory"


@pytest.fixture
def example(tmp_path) -> Workspace:
    root = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, root)
    return Workspace(root)


# -- read_file, list_files, search ---------------------------------------------


def test_read_file_shows_a_numbered_window_with_a_header(tmp_path):
    (tmp_path / "long.py").write_text("".join(f"line_{n} = {n}\n" for n in range(1, 251)))
    ws = Workspace(tmp_path)
    first = files.view_file(ws, "long.py")
    assert first.splitlines()[0] == "long.py — lines 1–100 of 250"
    assert first.splitlines()[1] == "  1│ line_1 = 1"
    assert first.endswith("(lines 101–250 not shown: read_file('long.py', start_line=101))")
    middle = files.view_file(ws, "long.py", start_line=120, end_line=122)
    assert middle.splitlines() == [
        "long.py — lines 120–122 of 250",
        "120│ line_120 = 120",
        "121│ line_121 = 121",
        "122│ line_122 = 122",
        "(lines 123–250 not shown: read_file('long.py', start_line=123))",
    ]
    with pytest.raises(WorkspaceError, match="past the end"):
        files.view_file(ws, "long.py", start_line=999)


def test_read_file_sees_the_overlay(example):
    example.write_text("inventory/report.py", "new = True\n")
    assert files.view_file(example, "inventory/report.py") == "inventory/report.py — 1 lines\n1│ new = True"


def test_list_files_with_pattern_and_folder(example):
    assert files.list_paths(example, pattern="test_*.py") == "tests/test_stock.py"
    assert files.list_paths(example, "inventory") == "inventory/__init__.py\ninventory/report.py\ninventory/stock.py"
    assert files.list_paths(example, pattern="*.rs") == "No files match '*.rs'."


def test_search_groups_per_file_and_sees_the_overlay(example):
    result = files.search_text(example, "total_value")
    assert result.splitlines()[0] == "5 matches in 4 files"
    assert "inventory/stock.py:\n  35: def total_value(self) -> float:" in result
    example.write_text("inventory/report.py", "# no totals here\n")
    assert "inventory/report.py" not in files.search_text(example, "total_value")
    assert files.search_text(example, r"def (add|remove)\(", regex=True).startswith("2 matches in 1 files")
    with pytest.raises(WorkspaceError, match="invalid regular expression"):
        files.search_text(example, "(", regex=True)


def test_search_caps_results_and_says_how_many_were_left_out(tmp_path):
    for n in range(20):
        (tmp_path / f"m{n:02}.py").write_text("hit\n" * 8)
    result = files.search_text(Workspace(tmp_path), "hit")
    assert result.startswith("160 matches in 20 files; 100 not shown")


# -- lint and format -------------------------------------------------------------


def test_lint_reports_codes_and_lines_with_the_project_config(example):
    [problem] = lint.lint(example)
    assert (problem.path, problem.line, problem.code) == ("inventory/report.py", 3, "F401")
    example.write_text("inventory/report.py", "from inventory.stock import Stock\n\n\ndef f(s: Stock):\n    return s\n")
    assert lint.lint(example) == []


def test_format_uses_ruff_and_the_project_line_length(example):
    long_call = "x = dict(" + ", ".join(f"key_{n}={n}" for n in range(12)) + ")\n"
    formatted = lint.format_text(example, "inventory/stock.py", long_call)
    assert max(len(line) for line in formatted.splitlines()) <= 100 < len(long_call)


def test_lint_guard_refuses_new_syntax_errors_and_undefined_names(example):
    before = example.read_text("inventory/stock.py")
    with pytest.raises(EditError, match="F821 Undefined name `quantityy`"):
        lint.guard_edit(
            example,
            "inventory/stock.py",
            before,
            before.replace("item.quantity -= quantity", "item.quantity -= quantityy"),
        )
    with pytest.raises(EditError, match="would add"):
        lint.guard_edit(example, "inventory/stock.py", before, before.replace("def remove(self", "def remove(self,,"))
    lint.guard_edit(example, "inventory/stock.py", before, before.replace("+ item.price", "* item.price"))


def test_lint_guard_tolerates_errors_that_were_already_there(example):
    broken = "def f(:\n    return undefined\n"
    lint.guard_edit(example, "scratch.py", broken, broken + "\n# a comment\n")


# -- navigation ------------------------------------------------------------------


def test_find_definition_by_name_and_by_place(example):
    assert (
        navigation.find_definition(example, "total_value") == "inventory/stock.py:35: def total_value(self) -> float:"
    )
    by_place = navigation.find_definition(example, "inventory/report.py:11:35")  # stock.total_value()
    assert by_place == "inventory/stock.py:35: def total_value(self) -> float:"


def test_find_references_across_files(example):
    result = navigation.find_references(example, "inventory/stock.py:35:9")
    assert result.splitlines() == [
        "3 references to total_value:",
        'inventory/report.py:11: lines.append(f"total: {stock.total_value():.2f}")',
        "inventory/stock.py:35: def total_value(self) -> float:",
        "tests/test_stock.py:26: assert stock.total_value() == 4.5",
    ]


def test_outline_shows_signatures(example):
    assert navigation.outline(example, "inventory/stock.py").splitlines() == [
        "inventory/stock.py:",
        "7: class Item",
        "14: class Stock",
        "  17: def add(self, name: str, quantity: int, price: float) -> None",
        "  26: def remove(self, name: str, quantity: int) -> None",
        "  35: def total_value(self) -> float",
    ]
    with pytest.raises(WorkspaceError, match="Python files"):
        navigation.outline(example, "README.md")


# -- run_tests and the shadow copy --------------------------------------------------


def test_run_tests_reports_counts_and_trimmed_failures(example):
    shadow = ShadowCopy(example.root)
    report = testing.run_tests(example, shadow.sync(example))
    assert report.verdict == "failed"
    assert (report.failed, report.passed) == (1, 2)  # -x stops at the first failure
    assert "test_total_value" in report.output and "assert 7.75 == 4.5" in report.output
    assert " in 0." not in report.output and "s\n" not in report.output[-3:]
    shadow.close()


def test_run_tests_uses_the_overlay_and_never_touches_the_user_files(example):
    original = example.read_text("inventory/stock.py")
    example.write_text("inventory/stock.py", original.replace("+ item.price", "* item.price"))
    shadow = ShadowCopy(example.root)
    report = testing.run_tests(example, shadow.sync(example))
    assert report.verdict == "passed" and report.passed == 4
    assert (example.root / "inventory" / "stock.py").read_text() == original
    assert not list(example.root.rglob("__pycache__")) and not (example.root / ".pytest_cache").exists()
    shadow.close()


def test_a_test_writing_a_tracked_file_cannot_reach_the_original(example):
    (example.root / "tests" / "test_vandal.py").write_text(
        "def test_vandal():\n    open('inventory/stock.py', 'w').write('ruined')\n"
    )
    shadow = ShadowCopy(example.root)
    testing.run_tests(example, shadow.sync(example), "tests/test_vandal.py")
    assert "ruined" not in (example.root / "inventory" / "stock.py").read_text()
    shadow.close()


def test_a_hanging_test_times_out_and_its_process_group_is_killed(tmp_path):
    (tmp_path / "test_hang.py").write_text(
        "import subprocess, time\n\ndef test_hang():\n    subprocess.Popen(['sleep', '60'])\n    time.sleep(60)\n"
    )
    ws = Workspace(tmp_path)
    shadow = ShadowCopy(ws.root)
    started = time.monotonic()
    report = testing.run_tests(ws, shadow.sync(ws), timeout=2)
    assert report.verdict == "timed out" and time.monotonic() - started < 10
    shadow.close()


def test_run_tests_is_cancelled_promptly(tmp_path):
    (tmp_path / "test_slow.py").write_text("import time\n\ndef test_slow():\n    time.sleep(60)\n")
    ws = Workspace(tmp_path)
    shadow = ShadowCopy(ws.root)
    cancelled = threading.Event()
    threading.Timer(1.0, cancelled.set).start()
    started = time.monotonic()
    report = testing.run_tests(ws, shadow.sync(ws), cancelled=cancelled)
    assert report.verdict == "cancelled" and time.monotonic() - started < 5
    shadow.close()


def test_test_environment_has_no_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-sentinel-for-tests-0000")
    (tmp_path / "test_env.py").write_text(
        "import os\n\ndef test_env():\n    assert 'OPENAI_API_KEY' not in os.environ\n"
    )
    ws = Workspace(tmp_path)
    shadow = ShadowCopy(ws.root)
    assert testing.run_tests(ws, shadow.sync(ws)).verdict == "passed"
    shadow.close()


def test_selections_outside_the_workspace_are_refused(example):
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        testing.check_selection(example, "../../etc/tests.py")
    testing.check_selection(example, "tests/test_stock.py::test_summary -k summary")


def test_the_workspace_interpreter_is_preferred(tmp_path):
    ws = Workspace(tmp_path)
    assert testing.workspace_python(ws, "/opt/py/bin/python") == "/opt/py/bin/python"
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    assert testing.workspace_python(ws) == str(tmp_path / ".venv" / "bin" / "python")


def test_shadow_sync_is_incremental_and_follows_the_overlay(example):
    shadow = ShadowCopy(example.root)
    root = shadow.sync(example)
    stock = root / "inventory" / "stock.py"
    first_inode = stock.stat().st_ino
    assert stock.stat().st_ino != (example.root / "inventory" / "stock.py").stat().st_ino  # not a hard link
    shadow.sync(example)
    assert stock.stat().st_ino == first_inode  # unchanged: not rewritten
    example.write_text("inventory/stock.py", "edited = True\n")
    example.delete("inventory/report.py")
    shadow.sync(example)
    assert stock.read_text() == "edited = True\n" and not (root / "inventory" / "report.py").exists()
    example.reset()
    shadow.sync(example)
    assert "class Stock" in stock.read_text() and (root / "inventory" / "report.py").exists()
    shadow.close()
    assert not root.exists()
