"""The `agentls` command line.

    agentls serve [--log-level LEVEL]      the language server, on stdio
    agentls run "<task>" --workspace DIR [--model M] [--apply] [--json] [--record FILE]
    agentls exec [CODE] [--file F] [--allow MODULE ...] [--timeout S] [--memory MB]

`exec` runs Python in the sandbox the agent's code runs in (policy check, worker
process, OS sandbox) and prints what the model would see: the printed logs and
the result, or the error. Exit codes: 0 done, 1 the code failed or was refused,
2 bad usage.
"""

import argparse
import sys

from server import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentls", description="A coding assistant that speaks LSP.")
    parser.add_argument("--version", action="version", version=f"agentls {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the language server on stdio")
    serve.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])

    from server import headless

    headless.add_parser(commands)

    run_code = commands.add_parser("exec", help="run Python in the agent's sandbox and show what the model sees")
    run_code.add_argument("code", nargs="?", help="the code (or use --file; '-' reads standard input)")
    run_code.add_argument("--file", help="read the code from this file")
    run_code.add_argument("--allow", action="append", default=[], metavar="MODULE", help="authorise an import")
    run_code.add_argument("--timeout", type=float, default=30, help="wall-clock limit in seconds (default 30)")
    run_code.add_argument("--memory", type=int, default=1024, help="memory limit in MB (default 1024)")
    return parser


def exec_command(args: argparse.Namespace) -> int:
    from agent.executor import InterpreterError, LocalPythonExecutor

    if args.file:
        with open(args.file, encoding="utf-8") as f:
            code = f.read()
    elif args.code == "-" or args.code is None:
        code = sys.stdin.read()
    else:
        code = args.code
    with LocalPythonExecutor(args.allow, timeout_seconds=args.timeout, max_memory_mb=args.memory) as executor:
        try:
            out = executor(code)
        except InterpreterError as e:
            if e.logs:
                print(f"Execution logs:\n{e.logs}")
            print(f"Error: {e}")
            return 1
        finally:
            if executor.sandbox_report is not None:  # None: refused before a worker started
                layers = [name for name in ("landlock", "seccomp") if executor.sandbox_report.get(name)]
                print(f"[sandbox: policy check, rlimits{''.join(', ' + n for n in layers)}]", file=sys.stderr)
    if out.logs:
        print(f"Execution logs:\n{out.logs}")
    label = "Final answer" if out.is_final_answer else "Result"
    print(f"{label}: {out.output!r}")
    return 0


def configure_logging(level: str) -> None:
    """Logs go to stderr (stdout carries the protocol), with secrets redacted."""
    import logging

    from agent.redaction import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def protocol_stream():
    """stdout for the protocol alone. The protocol keeps a private copy of it; file
    descriptor 1 and sys.stdout then point at stderr, so that whatever a library or a
    child process prints goes to the log instead of corrupting the messages (litellm
    logs everything below WARNING to stdout)."""
    import os

    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return protocol


def serve_command(args: argparse.Namespace) -> int:
    protocol = protocol_stream()
    configure_logging(args.log_level)
    from server.server import create_server

    create_server().start_io(stdout=protocol)
    return 0


def run_command(args: argparse.Namespace) -> int:
    import asyncio

    from server import headless

    try:
        return asyncio.run(headless.run(args))
    except KeyboardInterrupt:
        print("agentls run: cancelled; nothing was written.", file=sys.stderr)
        return headless.EXIT_CANCELLED


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve_command(args)
    if args.command == "run":
        return run_command(args)
    if args.command == "exec":
        if args.code is not None and args.file:
            print("agentls exec: give the code or --file, not both", file=sys.stderr)
            return 2
        return exec_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
