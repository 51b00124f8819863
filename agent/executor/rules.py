"""The rules a model's code lives by, shared by the host's policy check and the worker's runtime.

The policy (`policy.py`) applies them to the AST before anything runs; the runtime
(`runtime.py`) applies the same ones to what can only be seen while running
(`getattr` with a computed name, `str.format` fields, imports).
"""

# Pure-computation modules a model may import without asking. smolagents' list
# (collections ... unicodedata) plus the standard library's other no-I/O helpers.
# Deliberately absent: os, sys, io, pathlib, subprocess, socket, shutil, importlib,
# inspect, types, ctypes, pickle, marshal, gc, builtins (all reach the host or the
# interpreter's internals).
BASE_BUILTIN_MODULES = (
    "abc",
    "base64",
    "bisect",
    "calendar",
    "cmath",
    "collections",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "enum",
    "fractions",
    "functools",
    "hashlib",
    "heapq",
    "itertools",
    "json",
    "math",
    "numbers",
    "operator",
    "pprint",
    "queue",
    "random",
    "re",
    "shlex",
    "stat",
    "statistics",
    "string",
    "textwrap",
    "time",
    "typing",
    "unicodedata",
)

# Dunder attributes that only read or call ordinary behaviour. Every other dunder
# (__class__, __subclasses__, __globals__, __builtins__, __code__, __dict__,
# __self__, __traceback__, ...) is a step towards the interpreter's internals.
SAFE_DUNDER_ATTRIBUTES = frozenset(
    {
        "__init__",
        "__post_init__",
        "__name__",
        "__qualname__",
        "__doc__",
        "__version__",
        "__annotations__",
        "__len__",
        "__str__",
        "__repr__",
        "__hash__",
        "__eq__",
        "__ne__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__add__",
        "__sub__",
        "__mul__",
        "__truediv__",
        "__floordiv__",
        "__mod__",
        "__pow__",
        "__neg__",
        "__abs__",
        "__iter__",
        "__next__",
        "__contains__",
        "__getitem__",
        "__setitem__",
        "__delitem__",
        "__enter__",
        "__exit__",
        "__call__",
        "__bool__",
    }
)

# Attribute names without dunders that still lead to frames, code and globals.
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "gi_frame",
        "gi_code",
        "gi_yieldfrom",
        "cr_frame",
        "cr_code",
        "cr_await",
        "ag_frame",
        "ag_code",
        "ag_await",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "f_code",
        "f_trace",
        "tb_frame",
        "tb_next",
        "func_globals",
        "func_code",
    }
)

# Built-in names that are absent in the sandbox, with what to do instead.
FORBIDDEN_BUILTINS = {
    "open": "open() is not available: use the read_file / write_file tools for workspace files",
    "eval": "eval() is not available: write the code directly",
    "exec": "exec() is not available: write the code directly",
    "compile": "compile() is not available",
    "__import__": "__import__() is not available: use an import statement",
    "globals": "globals() is not available",
    "locals": "locals() is not available",
    "vars": "vars() is not available",
    "input": "input() is not available: there is no user at the keyboard",
    "breakpoint": "breakpoint() is not available",
    "help": "help() is not available",
    "exit": "exit() is not available: call final_answer(...) to finish",
    "quit": "quit() is not available: call final_answer(...) to finish",
    "memoryview": "memoryview() is not available",
    # site's _Printer objects read files with the real open() (license._Printer__filenames)
    "license": "license is not available",
    "credits": "credits is not available",
    "copyright": "copyright is not available",
}

# Dunder names a snippet may read as plain names (`if __name__ == "__main__":`).
SAFE_DUNDER_NAMES = frozenset({"__name__", "__doc__"})


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def attribute_refusal(name: str) -> str | None:
    """Why reading or writing attribute `name` is refused, or None when it is allowed."""
    if is_dunder(name) and name not in SAFE_DUNDER_ATTRIBUTES:
        return f"access to the attribute {name!r} is not allowed"
    if name in FORBIDDEN_ATTRIBUTES:
        return f"access to the attribute {name!r} (interpreter internals) is not allowed"
    return None


def is_authorized_import(module: str, authorized: frozenset[str]) -> bool:
    """`json` authorizes `json.decoder`; `numpy.*` authorizes numpy and its submodules;
    `*` authorizes everything."""
    if "*" in authorized:
        return True
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if prefix in authorized or f"{prefix}.*" in authorized:
            return True
    return False
