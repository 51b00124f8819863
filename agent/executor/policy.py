"""The policy check: a model's code is parsed and vetted in the host before it runs.

`prepare(code, ...)` returns the code ready for the worker, compiled: the body to
exec and, when the snippet ends with an expression, that expression to evaluate as
the result, like a REPL. A violation raises `InterpreterError` naming the line, so
the model can fix its code. This is the first of three layers: the worker's runtime
guards what only shows at run time, and the OS sandbox (`sandbox.py`) holds the rest.
"""

import ast
import marshal
from dataclasses import dataclass

from agent.executor.results import InterpreterError
from agent.executor.rules import (
    FORBIDDEN_BUILTINS,
    SAFE_DUNDER_ATTRIBUTES,
    SAFE_DUNDER_NAMES,
    attribute_refusal,
    is_authorized_import,
    is_dunder,
)

# `str.format` and `format_map` read attributes named inside the format string
# ("{0.__class__}"), which the AST cannot see; the worker's runtime checks those
# fields. Reads of these attributes are rewritten to `__agentls_attr__(obj, name)`.
FORMAT_METHODS = ("format", "format_map")
ATTR_HELPER = "__agentls_attr__"

MAX_CODE_CHARS = 200_000
CODE_FILENAME = "<agent code>"


@dataclass(frozen=True)
class PreparedCode:
    """Validated, compiled code: `body` is exec'd, then `result` (if any) is evaluated.
    Both are marshalled code objects (the worker runs the same interpreter)."""

    body: bytes
    result: bytes | None
    source: str


def prepare(code: str, authorized_imports: frozenset[str], tool_names: frozenset[str]) -> PreparedCode:
    if len(code) > MAX_CODE_CHARS:
        raise InterpreterError(f"The code is {len(code)} characters long; the limit is {MAX_CODE_CHARS}.")
    try:
        tree = ast.parse(code, filename=CODE_FILENAME)
    except SyntaxError as e:
        raise InterpreterError(_describe_syntax_error(e)) from None
    if _PolicyCheck(authorized_imports, tool_names).run(tree):
        tree = ast.fix_missing_locations(_FormatRewriter().visit(tree))
    result = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop()
        result = ast.copy_location(ast.Expression(body=last.value), last)
    try:
        body = compile(tree, CODE_FILENAME, "exec")
        value = compile(result, CODE_FILENAME, "eval") if result is not None else None
    except SyntaxError as e:  # what only the compiler sees ('return' outside function, ...)
        raise InterpreterError(_describe_syntax_error(e)) from None
    return PreparedCode(marshal.dumps(body), marshal.dumps(value) if value else None, code)


def _describe_syntax_error(e: SyntaxError) -> str:
    where = f" at line {e.lineno}" if e.lineno else ""
    text = (e.text or "").rstrip("\n")
    message = f"SyntaxError{where}: {e.msg}"
    if text:
        caret = " " * max((e.offset or 1) - 1, 0) + "^"
        message += f"\n    {text}\n    {caret}"
    return message


class _PolicyCheck:
    """One walk over the tree; `run` raises InterpreterError on the first violation
    and returns whether a `.format` read needs rewriting."""

    def __init__(self, authorized_imports: frozenset[str], tool_names: frozenset[str]):
        self.authorized = authorized_imports
        self.tool_names = tool_names
        self.checks = {
            ast.Import: self.check_import_statement,
            ast.ImportFrom: self.check_import_from,
            ast.Attribute: self.check_attribute,
            ast.Name: self.check_name,
            ast.FunctionDef: self.check_definition,
            ast.AsyncFunctionDef: self.check_definition,
            ast.ClassDef: self.check_definition,
            ast.Call: self.check_call,
            ast.MatchClass: self.check_match_class,
        }

    def run(self, tree: ast.AST) -> bool:
        uses_format = False
        for node in ast.walk(tree):
            check = self.checks.get(type(node))
            if check is not None:
                check(node)
                uses_format = uses_format or (isinstance(node, ast.Attribute) and node.attr in FORMAT_METHODS)
        return uses_format

    def refuse(self, node: ast.AST, reason: str) -> None:
        line = getattr(node, "lineno", None)
        where = f" (line {line})" if line else ""
        raise InterpreterError(f"Forbidden{where}: {reason}.")

    def check_module(self, node: ast.AST, module: str) -> None:
        if not is_authorized_import(module, self.authorized):
            allowed = ", ".join(sorted(self.authorized))
            self.refuse(node, f"import of {module!r} is not allowed. Authorized imports: {allowed}")

    def check_import_statement(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)
            self.check_binding(node, (alias.asname or alias.name).split(".")[0])

    def check_import_from(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.refuse(node, "relative imports are not allowed")
        self.check_module(node, node.module or "")
        for alias in node.names:
            if alias.name != "*":
                self.check_binding(node, alias.asname or alias.name)

    def check_attribute(self, node: ast.Attribute) -> None:
        reason = attribute_refusal(node.attr)
        if reason:
            self.refuse(node, reason)

    def check_name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.id in FORBIDDEN_BUILTINS:
                self.refuse(node, FORBIDDEN_BUILTINS[node.id])
            if is_dunder(node.id) and node.id not in SAFE_DUNDER_NAMES:
                self.refuse(node, f"the name {node.id!r} is not available")
        else:
            if is_dunder(node.id) and node.id not in SAFE_DUNDER_ATTRIBUTES:
                self.refuse(node, f"assigning to the name {node.id!r} is not allowed")
            self.check_binding(node, node.id)

    def check_definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        # A class attribute or method named __globals__, __getattr__, __setattr__...
        # can be filled or triggered by library code (functools.update_wrapper).
        if is_dunder(node.name) and node.name not in SAFE_DUNDER_ATTRIBUTES:
            self.refuse(node, f"defining {node.name!r} is not allowed")
        self.check_binding(node, node.name)

    def check_match_class(self, node: ast.MatchClass) -> None:
        # `case object(__func__=...)` reads attributes by keyword.
        for name in node.kwd_attrs:
            reason = attribute_refusal(name)
            if reason:
                self.refuse(node, reason)

    def check_call(self, node: ast.Call) -> None:
        # getattr(x, "__class__") is refused here with a clear line number; computed
        # names are refused by the runtime's getattr.
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "delattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            reason = attribute_refusal(node.args[1].value)
            if reason:
                self.refuse(node, reason)

    def check_binding(self, node: ast.AST, name: str) -> None:
        if name in self.tool_names:
            self.refuse(
                node,
                f"cannot assign to {name!r}: it is a tool, and redefining it would lose the tool; pick another name",
            )


class _FormatRewriter(ast.NodeTransformer):
    """`s.format(...)` -> `__agentls_attr__(s, "format")(...)` (see FORMAT_METHODS)."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr in FORMAT_METHODS and isinstance(node.ctx, ast.Load):
            call = ast.Call(
                func=ast.Name(id=ATTR_HELPER, ctx=ast.Load()),
                args=[node.value, ast.Constant(value=node.attr)],
                keywords=[],
            )
            return ast.copy_location(call, node)
        return node
