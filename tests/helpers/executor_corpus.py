"""The executor's escape and resource corpus, in one place.

tests/agent/test_executor_escapes.py runs each entry as its own test (what failed,
and why); tests/robustness/test_executor_corpus.py runs the whole corpus and tallies
it. Add a new escape or bomb here and both pick it up.
"""

from dataclasses import dataclass, field

# Code that reaches for the interpreter's internals: the AST policy refuses it before it runs.
POLICY_ESCAPES = [
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0](['id'])",
    "(lambda: 0).__globals__['__builtins__']",
    "print.__self__.open('/etc/passwd')",
    "__builtins__['open']('/etc/passwd')",
    "__import__('os').system('id')",
    "import os",
    "import subprocess",
    "from os import system",
    "import importlib\nimportlib.import_module('os')",
    "import sys\nsys.modules['os']",
    "from . import secrets",
    "import builtins\nbuiltins.open('/etc/passwd')",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "open('/etc/passwd').read()",
    "globals()['__builtins__']",
    "vars()",
    "def f():\n    yield 1\ng = f()\ng.gi_frame.f_back.f_globals",
    "try:\n    1/0\nexcept Exception as e:\n    e.__traceback__.tb_frame.f_globals",
    "x = (1).__class__",
    "setattr(print, '__name__', 'x'); print.__dict__",
    # found in review: attributes read by match-class keywords, no import needed
    "match final_answer:\n    case object(__func__=object(__globals__=g)):\n        pass\ng['sys']",
    # class-body dunders that library code fills (functools.update_wrapper) or triggers
    "import functools, shlex\nclass W:\n    __globals__ = {}\nfunctools.update_wrapper(W(), shlex.split, assigned=(), updated=('__globals__',))",
    "class H:\n    def __setattr__(self, name, value):\n        pass",
    # site's _Printer reads files with the real open()
    "license._Printer__filenames = ['/etc/passwd']\nrepr(license)",
]

# Attribute names computed at run time, which the AST cannot see: the worker's runtime
# refuses them (AttributeError or "Forbidden").
RUNTIME_ESCAPES = [
    "getattr((), '__cla' + 'ss__')",
    "getattr(getattr((), '_' * 2 + 'class' + '_' * 2), '__subclasses__')",
    "hasattr(print, '__self' + '__')",
    "'{0.__class__.__bases__}'.format(())",
    "'{x.__globals__}'.format_map({'x': lambda: 0})",
    "f = str.format\nf('{0.__class__}', 1)",
    "fmt = '{0.' + 'gi_frame}'\nfmt.format((i for i in []))",
    "import string\nstring.Formatter().format('{0.__class__}', 1)",
    "import operator\noperator.attrgetter('__class__')(1)",
    "import operator\noperator.methodcaller('__subclasses__')(object)",
    "import random\nrandom._os",
    "import random\nrandom.os",
    "import typing\ntyping.sys.modules['os']",
    "import typing\ntyping.get_type_hints",
    "import json\njson.decoder.sys",
    # found in review: a str subclass that lies about its length or text
    "class S(str):\n    def __len__(self):\n        return 0\ngetattr((), S('__class__'))",
    "class S(str):\n    def __str__(self):\n        return 'real'\nimport operator\noperator.attrgetter(S('__class__'))(1)",
    # str.format reached through super(), methodcaller or attrgetter
    "class T(str):\n    pass\nsuper(T, T('{0.__class__}')).format(1)",
    "import operator, shlex\noperator.methodcaller('format', shlex.split)('{0.__globals__[os]}')",
    "import operator\noperator.attrgetter('format')('{0.__class__}')(1)",
    "import string\nstring.Formatter",
]

# The modules a snippet that slipped past the policy would have: only the OS sandbox
# (Landlock, seccomp, a clean environment) stands between these and the machine.
SANDBOX_IMPORTS = ["os", "socket", "subprocess", "pathlib", "signal", "shutil"]

# Starting a program or a process; `{marker}` is a path the program would create.
PROGRAM_STARTS = [
    "import subprocess\nsubprocess.run(['touch', {marker!r}])",
    "import os\nos.system('touch {marker}')",
    "import os\nos.execv('/usr/bin/touch', ['touch', {marker!r}])",
    "import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\npid",
    "import os\nos.posix_spawn('/usr/bin/touch', ['touch', {marker!r}], {{}})",
]

# Writing a file; `{target}` is a path outside the worker's own temp dir.
FILE_WRITES = [
    "import pathlib\npathlib.Path({target!r}).write_text('x')",
    "import os\nfd = os.open({target!r}, os.O_CREAT | os.O_WRONLY)",
    "import shutil\nshutil.copy('/etc/hostname', {target!r})",
]


@dataclass(frozen=True)
class Bomb:
    """Code that exhausts a resource: it must end in an InterpreterError matching
    `error`, and the executor (made with `options`) must work afterwards, with the
    earlier variables when `keeps_state` (else the error says they were lost)."""

    name: str
    code: str
    error: str
    options: dict = field(default_factory=dict)
    keeps_state: bool = True


RESOURCE_BOMBS = [
    Bomb("infinite loop", "while True:\n    pass", "time limit and was stopped", {"timeout_seconds": 1}),
    Bomb(
        "loop that swallows interrupts",
        "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
        "did not stop when interrupted.*lost",
        {"timeout_seconds": 1},
        keeps_state=False,
    ),
    Bomb("C-level busy loop", "sum(range(10 ** 12))", "did not stop", {"timeout_seconds": 1}, keeps_state=False),
    Bomb("one huge allocation", "x = ' ' * (4 * 1024 ** 3)", "MemoryError", {"max_memory_mb": 512}),
    Bomb(
        "allocation loop",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 7))",
        "MemoryError",
        {"max_memory_mb": 512},
    ),
    Bomb("deep recursion", "def f(n):\n    return f(n + 1)\nf(0)", "RecursionError", {"timeout_seconds": 5}),
    Bomb(
        "print flood",
        "while True:\n    print('x' * 1000)",
        "time limit",
        {"timeout_seconds": 1, "max_print_outputs_length": 10_000},
    ),
    Bomb(
        "worker crash",
        "import os\nos.abort()",
        "worker stopped.*SIGABRT.*lost",
        {"additional_authorized_imports": ["os"]},
        keeps_state=False,
    ),
    Bomb(
        "fork bomb",
        "import os\nwhile True:\n    os.fork()",
        "not permitted|BlockingIOError|PermissionError",
        {"additional_authorized_imports": ["os"], "timeout_seconds": 5},
    ),
    Bomb("huge result", "'x' * (100 * 1024 * 1024)", "exceeds.*lost", {"timeout_seconds": 10}, keeps_state=False),
]
