"""The layering rule: dependencies point server -> tools -> agent, and nothing heavy
is imported at module level (the server must start fast)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"agent": {"tools", "server"}, "tools": {"server"}, "server": set()}
HEAVY = {"litellm", "jedi", "openai", "huggingface_hub", "transformers", "torch", "llama_cpp"}
HEAVY |= {"mcp", "gradio_client", "gradio", "httpx"}  # the hub extra


def imported_top_levels(tree: ast.AST, module_level_only: bool):
    nodes = tree.body if module_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module.split(".")[0]


def python_files(package: str):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in python_files(package)
        for line, name in imported_top_levels(ast.parse(path.read_text()), module_level_only=False)
        if name in FORBIDDEN[package]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_heavy_libraries_are_imported_where_used(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name} at module level"
        for path in python_files(package)
        for line, name in imported_top_levels(ast.parse(path.read_text()), module_level_only=True)
        if name in HEAVY
    ]
    assert not wrong, "\n".join(wrong)
