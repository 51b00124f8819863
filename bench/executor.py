"""Executor benchmark: agentls's sandboxed worker vs smolagents' LocalPythonExecutor vs plain exec.

Same snippets, same machine, one run. Plain `exec` is the floor (no isolation at
all); smolagents' executor is the peer (an AST-walking interpreter in-process).
Writes the "Executor" section of bench/RESULTS.md.

    python -m bench.executor [--quick]   (from the repository root)
"""

import argparse
import math
import statistics
import sys
import time

from agent.executor import LocalPythonExecutor
from bench.results import machine, write_section

SNIPPETS = {
    "loop: sum of squares": "total = 0\nfor i in range(200_000):\n    total += i * i\ntotal",
    "sort: 50k keyed": (
        "import random\nrandom.seed(0)\nxs = [random.random() for _ in range(50_000)]\n"
        "ys = sorted(xs, key=lambda v: -v)\nys[0]"
    ),
    "recursion: fib(20)": "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(20)",
    "strings: build 20k": "parts = []\nfor i in range(20_000):\n    parts.append(f'{i}:{i % 7}')\nlen(','.join(parts))",
    "dict: word counts": (
        "words = ('alpha beta gamma delta ' * 20_000).split()\ncounts = {}\n"
        "for w in words:\n    counts[w] = counts.get(w, 0) + 1\ncounts['beta']"
    ),
    "comprehension: primes": (
        "primes = [n for n in range(2, 20_000) if all(n % d for d in range(2, int(n ** 0.5) + 1))]\nlen(primes)"
    ),
}
TRIVIAL = "x = 1"


def median_seconds(run, repeat: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def plain_exec(code: str):
    compiled = compile(code, "<bench>", "exec")
    return lambda: exec(compiled, {})


def smolagents_executor():
    from smolagents.local_python_executor import LocalPythonExecutor as SmolExecutor

    # timeout_seconds=None: smolagents' fastest configuration (no timeout thread).
    ex = SmolExecutor(additional_authorized_imports=[], timeout_seconds=None)
    ex.send_tools({})
    return ex


def cold_starts(count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        ex = LocalPythonExecutor()
        ex.start()
        times.append(time.perf_counter() - started)
        ex.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    ours_repeat, peer_repeat = (5, 2) if args.quick else (21, 5)

    ours = LocalPythonExecutor(timeout_seconds=120)
    ours.start()
    smol = smolagents_executor()
    import smolagents

    rows, ratios = [], []
    for name, code in SNIPPETS.items():
        expected = ours(code).output
        assert smol(code).output == expected, f"{name}: executors disagree"
        t_plain = median_seconds(plain_exec(code), ours_repeat)
        t_ours = median_seconds(lambda code=code: ours(code), ours_repeat)
        t_smol = median_seconds(lambda code=code: smol(code), peer_repeat)
        ratios.append(t_smol / t_ours)
        rows.append((name, t_plain, t_ours, t_smol))
        print(
            f"{name:28} plain {t_plain * 1e3:8.2f} ms  agentls {t_ours * 1e3:8.2f} ms  "
            f"smolagents {t_smol * 1e3:9.2f} ms"
        )

    trivial_ours = median_seconds(lambda: ours(TRIVIAL), 201)
    trivial_smol = median_seconds(lambda: smol(TRIVIAL), 201)
    trivial_plain = median_seconds(plain_exec(TRIVIAL), 201)
    starts = cold_starts(5 if args.quick else 15)
    ours.close()
    geo = math.exp(statistics.fmean(math.log(r) for r in ratios))

    lines = [
        f"Run: {machine()}; smolagents {smolagents.__version__} (timeout_seconds=None).",
        "Median wall time per call; agentls's worker is warm and sandboxed (policy check, IPC, rlimits,",
        "Landlock, seccomp); plain `exec` is the unprotected floor.",
        "",
        "| snippet | plain exec | agentls | smolagents | smolagents / agentls | agentls / plain |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, t_plain, t_ours, t_smol in rows:
        lines.append(
            f"| {name} | {t_plain * 1e3:.2f} ms | {t_ours * 1e3:.2f} ms | {t_smol * 1e3:.1f} ms "
            f"| **{t_smol / t_ours:.0f}×** | {t_ours / t_plain:.2f}× |"
        )
    lines += [
        "",
        f"- Geometric mean, compute-heavy snippets: agentls is **{geo:.0f}× faster** than smolagents (target ≥ 30×).",
        f"- Trivial call round trip (`{TRIVIAL}`), warm worker: **{trivial_ours * 1e3:.2f} ms** median "
        f"(target < 2 ms); smolagents {trivial_smol * 1e3:.3f} ms and plain exec {trivial_plain * 1e6:.1f} µs "
        "run in-process with no isolation.",
        f"- Worker cold start (spawn, imports, sandbox, ready): **{statistics.median(starts) * 1e3:.0f} ms** median, "
        f"max {max(starts) * 1e3:.0f} ms over {len(starts)} starts (target < 150 ms).",
    ]
    write_section("Executor", "\n".join(lines))
    print("\n".join(lines[-3:]))
    sys.exit(0)


if __name__ == "__main__":
    main()
