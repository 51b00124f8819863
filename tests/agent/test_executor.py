"""What models write must work: the snippets of smolagents' executor tests, run natively."""

import textwrap

import pytest

from agent.executor import BASE_BUILTIN_MODULES, CodeOutput, InterpreterError, LocalPythonExecutor


@pytest.fixture(scope="module")
def shared():
    with LocalPythonExecutor(additional_authorized_imports=["numpy"]) as ex:
        yield ex


@pytest.fixture
def ex():
    with LocalPythonExecutor(timeout_seconds=10) as ex:
        yield ex


def run(ex: LocalPythonExecutor, code: str) -> CodeOutput:
    return ex(textwrap.dedent(code))


@pytest.mark.parametrize(
    "code, expected",
    [
        ("1 + 2", 3),
        ("x = [i * i for i in range(5)]\nx", [0, 1, 4, 9, 16]),
        ("{k: v for k, v in zip('ab', (1, 2))}", {"a": 1, "b": 2}),
        ("{c for c in 'hello'} == set('helo')", True),
        ("sum(i for i in range(10) if i % 2)", 25),
        ("def f(n):\n    return 1 if n < 2 else n * f(n - 1)\nf(10)", 3628800),
        ("add = lambda a, b=2: a + b\nadd(1), add(1, b=5)", (3, 6)),
        (
            "def g(*args, **kw):\n    return len(args), sorted(kw)\ng(1, 2, z=1, a=2)",
            (2, ["a", "z"]),
        ),
        ("def gen():\n    yield 1\n    yield from [2, 3]\nlist(gen())", [1, 2, 3]),
        (
            "def outer():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n        return n\n    inc()\n    return inc()\nouter()",
            2,
        ),
        ("(y := 10) + y", 20),
        ("a, *rest = [1, 2, 3]\nrest", [2, 3]),
        ("name = 'x'\nf'{name!r:>5}|{3.14159:.2f}|{2**10:,}'", "  'x'|3.14|1,024"),
        ("'{} and {k}'.format(1, k=2)", "1 and 2"),
        ("'{0[1]} {0.real}'.format([5, 6]) if False else '{a.real}'.format(a=3)", "3"),
        ("'%s-%05.1f' % ('a', 2.5)", "a-002.5"),
        ("sorted(['bb', 'a', 'ccc'], key=len, reverse=True)", ["ccc", "bb", "a"]),
        (
            "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    r = str(e)\nfinally:\n    r += '!'\nr",
            "division by zero!",
        ),
        (
            "class E(ValueError):\n    pass\ntry:\n    raise E('bad') from None\nexcept ValueError as e:\n    out = repr(e)\nout",
            "E('bad')",
        ),
        (
            "match {'kind': 'point', 'x': 1}:\n    case {'kind': 'point', 'x': x}:\n        r = x\n    case _:\n        r = None\nr",
            1,
        ),
        ("i = 0\nwhile True:\n    i += 1\n    if i > 4:\n        break\nelse:\n    i = -1\ni", 5),
        ("for i in range(3):\n    pass\nelse:\n    i = 'done'\ni", "done"),
        ("x = [1, 2, 3, 4]\ndel x[0]\nx[::-1]", [4, 3, 2]),
        ("assert 1 == 1, 'never'\n'ok'", "ok"),
        ("import math\nmath.floor(math.pi * 100)", 314),
        (
            "from collections import Counter, defaultdict\nd = defaultdict(int)\nd['a'] += 1\nCounter('abca').most_common(1), dict(d)",
            ([("a", 2)], {"a": 1}),
        ),
        ("import itertools\nlist(itertools.accumulate([1, 2, 3]))", [1, 3, 6]),
        ("import re\nre.findall(r'\\d+', 'a1b22c333')", ["1", "22", "333"]),
        ("import json\njson.loads(json.dumps({'a': [1, None]}))", {"a": [1, None]}),
        (
            "from datetime import date, timedelta\n(date(2024, 1, 31) + timedelta(days=1)).isoformat()",
            "2024-02-01",
        ),
        ("import statistics\nstatistics.median([3, 1, 2])", 2),
        ("import random\nrandom.seed(1)\nr = random.Random(4)\n0 <= r.random() < 1", True),
        (
            "from typing import List, Optional\ndef f(x: List[int]) -> Optional[int]:\n    return x[0] if x else None\nf([7])",
            7,
        ),
        ("import collections.abc\nisinstance({}, collections.abc.Mapping)", True),
        (
            "from functools import reduce, lru_cache\n@lru_cache\ndef sq(n):\n    return n * n\nreduce(lambda a, b: a + b, map(sq, range(4)))",
            14,
        ),
        (
            "import operator\nsorted([(1, 'b'), (0, 'a')], key=operator.itemgetter(0))",
            [(0, "a"), (1, "b")],
        ),
        (
            "from dataclasses import dataclass, field\n@dataclass\nclass P:\n    x: int\n    tags: list = field(default_factory=list)\nP(3).x, P(1) == P(1)",
            (3, True),
        ),
        ("from enum import Enum\nclass C(Enum):\n    RED = 1\nC.RED.name", "RED"),
        ("import numpy as np\nint(np.arange(10).sum())", 45),
        ("b'ab' + bytes([99])", b"abc"),
        # Only plain data crosses back from the worker (no pickle globals): complex comes as its repr.
        ("complex(1, 2) * 2", "(2+4j)"),
        ("frozenset({1}) | {2}", frozenset({1, 2})),
        ("if __name__ == '__main__':\n    r = 'main'\nr", "main"),
    ],
)
def test_snippets_models_write(shared, code, expected):
    assert run(shared, code).output == expected


def test_classes_with_inheritance_and_dunder_methods(ex):
    out = run(
        ex,
        """
        class Shape:
            def __init__(self, name):
                self.name = name
            def __repr__(self):
                return f"<{self.name}>"
            def __eq__(self, other):
                return isinstance(other, Shape) and self.name == other.name
            @property
            def label(self):
                return self.name.upper()

        class Square(Shape):
            def __init__(self, side):
                super().__init__("square")
                self.side = side
            def area(self):
                return self.side ** 2
            @staticmethod
            def unit():
                return Square(1)

        s = Square(3)
        (s.area(), s.label, repr(s), s == Shape("square"), Square.unit().area(), type(s).__name__)
        """,
    )
    assert out.output == (9, "SQUARE", "<square>", True, 1, "Square")


def test_context_managers(ex):
    out = run(
        ex,
        """
        events = []
        class Tracked:
            def __enter__(self):
                events.append("enter")
                return self
            def __exit__(self, *exc):
                events.append("exit")
                return True  # swallow
        with Tracked():
            raise ValueError("inside")
        events
        """,
    )
    assert out.output == ["enter", "exit"]


def test_state_persists_between_calls(ex):
    run(ex, "import math\ncounter = 1\ndef bump(k):\n    return counter + k\nclass K:\n    v = 5")
    run(ex, "counter += 1")
    assert run(ex, "bump(10), math.sqrt(16), K.v").output == (12, 4.0, 5)


def test_print_is_captured_in_logs_and_output_is_the_last_expression(ex):
    out = run(ex, "print('hello', 42, sep=', ')\nprint('a', end='')\nprint('b')\n7 * 6")
    assert out.logs == "hello, 42\nab\n"
    assert out.output == 42
    assert out.is_final_answer is False


def test_statement_last_gives_no_output(ex):
    assert run(ex, "x = 5").output is None


def test_final_answer_ends_the_action(ex):
    out = run(ex, "print('before')\nfinal_answer({'answer': 42})\nprint('never')")
    assert out.is_final_answer is True
    assert out.output == {"answer": 42}
    assert out.logs == "before\n"


def test_final_answer_inside_function_and_caught_broadly_still_ends(ex):
    out = run(ex, "def finish():\n    final_answer('x')\ntry:\n    finish()\nexcept:\n    pass\n'ignored'")
    assert out.is_final_answer and out.output == "x"


def test_final_answer_tool_from_host_transforms_the_answer(ex):
    ex.send_tools({"final_answer": lambda answer: f"ANSWER: {answer}"})
    out = run(ex, "final_answer(6 * 7)")
    assert (out.output, out.is_final_answer) == ("ANSWER: 42", True)


def test_tools_run_in_the_host_and_return_values(ex, tmp_path):
    calls = []

    def read_note(name: str, upper: bool = False) -> str:
        calls.append((name, upper))
        text = (tmp_path / name).read_text()
        return text.upper() if upper else text

    (tmp_path / "note.txt").write_text("hi there")
    ex.send_tools({"read_note": read_note})
    out = run(ex, "t = read_note('note.txt', upper=True)\nprint(t)\nlen(t)")
    assert (out.output, out.logs) == (8, "HI THERE\n")
    assert calls == [("note.txt", True)]


def test_a_tool_error_is_an_exception_the_snippet_can_catch(ex):
    class WorkspaceError(Exception):
        pass

    def missing(path):
        raise FileNotFoundError(f"no such file: {path}")

    def outside(path):
        raise WorkspaceError(f"{path} is outside the workspace")

    ex.send_tools({"missing": missing, "outside": outside})
    out = run(ex, "try:\n    missing('a.py')\nexcept FileNotFoundError as e:\n    r = str(e)\nr")
    assert out.output == "no such file: a.py"
    with pytest.raises(InterpreterError) as err:
        run(ex, "x = 1\noutside('/etc/passwd')")
    assert "line 2" in str(err.value)
    assert "WorkspaceError: /etc/passwd is outside the workspace" in str(err.value)


def test_tool_time_does_not_count_against_the_timeout():
    import time

    with LocalPythonExecutor(timeout_seconds=1) as ex:
        ex.send_tools({"slow": lambda: time.sleep(1.5) or "done"})
        assert ex("slow()").output == "done"


def test_send_variables(ex):
    ex.send_variables({"data": {"rows": [1, 2, 3]}, "name": "agentls"})
    assert run(ex, "sum(data['rows']), name.upper()").output == (6, "AGENTLS")


def test_errors_name_the_type_message_and_line(ex):
    with pytest.raises(InterpreterError) as err:
        run(ex, "a = 1\nb = [1, 2]\nc = b[5]")
    message = str(err.value)
    assert "line 3" in message and "`c = b[5]`" in message
    assert "IndexError: list index out of range" in message


def test_error_keeps_logs_and_executor_usable(ex):
    with pytest.raises(InterpreterError) as err:
        run(ex, "print('step 1')\nundefined_name")
    assert "NameError" in str(err.value)
    assert err.value.logs == "step 1\n"
    assert run(ex, "'still fine'").output == "still fine"


def test_syntax_error_shows_the_line(ex):
    with pytest.raises(InterpreterError) as err:
        run(ex, "x = 1\nif x\n    pass")
    assert "SyntaxError at line 2" in str(err.value)
    assert "if x" in str(err.value)


def test_assigning_to_a_tool_name_is_refused(ex):
    ex.send_tools({"search": lambda q: []})
    with pytest.raises(InterpreterError, match="cannot assign to 'search'"):
        run(ex, "search = 'my query'")


def test_long_print_output_is_truncated_head_and_tail():
    with LocalPythonExecutor(max_print_outputs_length=1000) as ex:
        out = ex("for i in range(100000):\n    print(i)")
    assert out.logs.startswith("0\n1\n2\n")
    assert out.logs.endswith("99998\n99999\n")
    assert "characters of output omitted" in out.logs
    assert len(out.logs) < 1200


def test_unpicklable_results_come_back_as_repr(ex):
    out = run(ex, "class Thing:\n    def __repr__(self):\n        return 'Thing()'\nThing()")
    assert out.output == "Thing()"


def test_base_modules_are_the_documented_list():
    assert {"math", "re", "json", "collections", "datetime"} <= set(BASE_BUILTIN_MODULES)
    assert not {"os", "sys", "subprocess", "socket", "io", "pathlib", "importlib"} & set(BASE_BUILTIN_MODULES)


def test_worker_started_from_a_short_lived_thread_survives_the_thread():
    # Linux's parent-death signal follows the spawning *thread*; an agent warms its
    # executor up on a helper thread that exits right after.
    import threading
    import time

    with LocalPythonExecutor() as ex:
        starter = threading.Thread(target=ex.start)
        starter.start()
        starter.join()
        time.sleep(0.2)
        assert ex("21 * 2").output == 42


def test_captured_output_stays_bounded_when_an_interrupt_lands_inside_a_write():
    from agent.executor.runtime import LogBuffer

    buffer = LogBuffer(limit=100)
    for _ in range(50):
        buffer.write("x" * 10)
    buffer.tail.append("y" * 1000)  # what write() leaves when interrupted before counting it
    text = buffer.getvalue()
    assert len(text) <= 100 + 60 and text.endswith("y" * 50)
