"""Tools and agents as folders, and on the Hugging Face Hub (as Spaces, like smolagents).

    word_count.save("word_count/")           # tool.py, tool.json, requirements.txt, README.md
    Tool.from_dir("word_count/")
    word_count.push_to_hub("me/word-count")
    Tool.from_hub("me/word-count", trust_remote_code=True)

    agent.save("my_agent/")                  # agent.json, prompts.yaml, tools/<name>/, managed_agents/<name>/
    CodeAgent.from_dir("my_agent/", model=model)
    agent.push_to_hub("me/my-agent"); CodeAgent.from_hub("me/my-agent", trust_remote_code=True)

Loading a tool runs its code in this process (tools run in the host, not in the
sandboxed worker), so code from the Hub is loaded only with trust_remote_code=True.
A folder on disk is the user's own and loads without it.

Tools that smolagents saved or pushed (a `tool.py` with `from smolagents import Tool`
and a subclass of it, no `tool.json`) load too: their Tool import is pointed at ours,
which has the same attributes, and their `setup()`, if any, is run once at load.
"""

import ast
import json
import os
import sys
import tempfile
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from agent.tool_source import requirements, tool_module_source
from agent.tools import FinalAnswerTool, Tool

if TYPE_CHECKING:
    from agent.agents import MultiStepAgent
    from agent.models import Model

TOOL_FORMAT = "agentls-tool"
AGENT_FORMAT = "agentls-agent"
TOOL_KEYS = ("name", "description", "inputs", "output_type", "object")
TRUST_HELP = (
    "{what} from the Hub ({repo_id}) means running its code on this machine, with your permissions; "
    "read it first, and if you trust it, pass trust_remote_code=True."
)


class FolderError(ValueError):
    """A folder that does not hold a saved tool or agent, or holds a broken one."""


# -- tools ----------------------------------------------------------------------


def save_tool(tool: Tool, folder: str | os.PathLike) -> Path:
    """Write `tool` as a self-contained folder; ToolNotPortable if it cannot be."""
    code, obj = tool_module_source(tool)
    needs = requirements(code)
    meta = {"format": TOOL_FORMAT, "version": 1, **_tool_metadata(tool), "object": obj, "requirements": needs}
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    (path / "tool.py").write_text(code, encoding="utf-8")
    (path / "tool.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (path / "requirements.txt").write_text("".join(f"{name}\n" for name in needs), encoding="utf-8")
    (path / "README.md").write_text(_readme(tool.name, tool.description, "tool"), encoding="utf-8")
    return path


def load_tool(folder: str | os.PathLike) -> Tool:
    """The tool saved in `folder` (its code runs here)."""
    path = Path(folder)
    if path.is_dir() and not (path / "tool.json").exists():
        source = _smolagents_tool_source(path / "tool.py")
        if source is not None:
            return _load_smolagents_tool(path / "tool.py", source)
    meta = _read_json(path, "tool.json", TOOL_FORMAT, "a tool", "Tool.save")
    missing = [key for key in TOOL_KEYS if key not in meta]
    if missing:
        raise FolderError(f"{path / 'tool.json'} lacks {', '.join(missing)}; save the tool again with Tool.save")
    module = _run_module(path / "tool.py", f"agentls_saved_tool_{meta['name']}")
    obj = getattr(module, meta["object"], None)
    if isinstance(obj, type) and issubclass(obj, Tool):
        obj = obj()
    if not isinstance(obj, Tool):
        raise FolderError(f"{path / 'tool.py'} defines no tool named {meta['object']!r} (tool.json names it)")
    if obj.name != meta["name"]:
        raise FolderError(f"{path / 'tool.py'} defines the tool {obj.name!r}, but tool.json says {meta['name']!r}")
    return obj


def push_tool(tool: Tool, repo_id: str, commit_message: str = "Upload tool", **options: Any) -> str:
    """Upload the tool's folder to a Space; the commit's URL."""
    with tempfile.TemporaryDirectory(prefix="agentls-tool-") as folder:
        save_tool(tool, folder)
        return _push_folder(folder, repo_id, commit_message, **options)


def tool_from_hub(repo_id: str, trust_remote_code: bool = False, **options: Any) -> Tool:
    if not trust_remote_code:
        raise ValueError(TRUST_HELP.format(what="Loading a tool", repo_id=repo_id))
    return load_tool(_download(repo_id, **options))


# -- agents ---------------------------------------------------------------------


def save_agent(agent: "MultiStepAgent", folder: str | os.PathLike) -> Path:
    """agent.json (class, model, settings, tool names), prompts.yaml, tools/, managed_agents/, requirements.txt."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    needs = {"agentls"}
    tools = [tool for tool in agent.tools.values() if type(tool) is not FinalAnswerTool]
    for tool in tools:
        needs.update(
            json.loads((save_tool(tool, path / "tools" / tool.name) / "tool.json").read_text())["requirements"]
        )
    for name, managed in agent.managed_agents.items():
        save_agent(managed, path / "managed_agents" / name)
        needs.update((path / "managed_agents" / name / "requirements.txt").read_text().split())
    meta = {
        "format": AGENT_FORMAT,
        "version": 1,
        "class": type(agent).__name__,
        "model": {"class": type(agent.model).__name__, "model_id": agent.model.model_id},
        "tools": [tool.name for tool in tools],
        "managed_agents": list(agent.managed_agents),
        "settings": agent_settings(agent),
        "requirements": sorted(needs),
    }
    (path / "agent.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    prompts = yaml.safe_dump(agent.prompt_templates.model_dump(), sort_keys=False, allow_unicode=True, width=1000)
    (path / "prompts.yaml").write_text(prompts, encoding="utf-8")
    (path / "requirements.txt").write_text("".join(f"{name}\n" for name in sorted(needs)), encoding="utf-8")
    (path / "README.md").write_text(
        _readme(agent.name or path.name, agent.description or "", "agent"), encoding="utf-8"
    )
    return path


def agent_settings(agent: "MultiStepAgent") -> dict:
    settings = {
        "name": agent.name,
        "description": agent.description,
        "instructions": agent.instructions,
        "max_steps": agent.max_steps,
        "planning_interval": agent.planning_interval,
    }
    if hasattr(agent, "additional_authorized_imports"):
        settings["additional_authorized_imports"] = agent.additional_authorized_imports
    return settings


def load_agent(folder: str | os.PathLike, model: "Model | None" = None, expected: type | None = None, **kwargs: Any):
    """The agent saved in `folder`, with `model` (default: the saved model id, resolved)."""
    from agent.agents import CodeAgent, MultiStepAgent, ToolCallingAgent
    from agent.prompts import validate_prompt_templates

    path = Path(folder)
    meta = _read_json(path, "agent.json", AGENT_FORMAT, "an agent", "agent.save")
    classes = {"CodeAgent": CodeAgent, "ToolCallingAgent": ToolCallingAgent}
    cls = classes.get(meta.get("class"))
    if cls is None:
        raise FolderError(f"{path / 'agent.json'}: unknown agent class {meta.get('class')!r} ({', '.join(classes)})")
    if expected not in (None, MultiStepAgent, cls):
        raise FolderError(f"{path} holds a {cls.__name__}, not a {expected.__name__}; load it with {cls.__name__}")
    tools = [load_tool(path / "tools" / name) for name in meta.get("tools", [])]
    managed = [load_agent(path / "managed_agents" / name, model) for name in meta.get("managed_agents", [])]
    prompts_file = path / "prompts.yaml"
    if not prompts_file.is_file():
        raise FolderError(f"{path} has no prompts.yaml; save the agent again with agent.save")
    templates = validate_prompt_templates(yaml.safe_load(prompts_file.read_text(encoding="utf-8")), str(prompts_file))
    if model is None:
        from agent.model_choice import resolve_model

        model = resolve_model(meta.get("model", {}).get("model_id")).model
    settings = {key: value for key, value in meta.get("settings", {}).items() if value is not None}
    settings.update(kwargs)
    return cls(tools=tools, model=model, prompt_templates=templates, managed_agents=managed or None, **settings)


def push_agent(agent: "MultiStepAgent", repo_id: str, commit_message: str = "Upload agent", **options: Any) -> str:
    with tempfile.TemporaryDirectory(prefix="agentls-agent-") as folder:
        save_agent(agent, folder)
        return _push_folder(folder, repo_id, commit_message, **options)


def agent_from_hub(repo_id: str, trust_remote_code: bool = False, model=None, expected=None, **options: Any):
    if not trust_remote_code:
        raise ValueError(TRUST_HELP.format(what="Loading an agent and its tools", repo_id=repo_id))
    download = {key: options.pop(key) for key in ("token", "revision") if key in options}
    return load_agent(_download(repo_id, **download), model, expected, **options)


# -- the Hub and the disk -----------------------------------------------------------


def _push_folder(
    folder: str,
    repo_id: str,
    commit_message: str,
    token: str | None = None,
    private: bool | None = None,
    create_pr: bool = False,
) -> str:
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    repo = api.create_repo(repo_id, repo_type="space", space_sdk="gradio", private=private, exist_ok=True)
    commit = api.upload_folder(
        folder_path=folder,
        repo_id=repo.repo_id,
        repo_type="space",
        commit_message=commit_message,
        create_pr=create_pr,
    )
    return str(commit)


def _download(repo_id: str, token: str | None = None, revision: str | None = None) -> str:
    from huggingface_hub import snapshot_download

    return snapshot_download(repo_id, repo_type="space", revision=revision, token=token)


def _read_json(path: Path, name: str, kind: str, what: str, saver: str) -> dict:
    if not path.is_dir():
        raise FolderError(f"no folder at {path}")
    file = path / name
    if not file.is_file():
        raise FolderError(f"{path} does not hold {what}: {name} is missing ({saver} writes it)")
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise FolderError(f"{file} is not valid JSON ({e.msg}, line {e.lineno})") from None
    if not isinstance(meta, dict) or meta.get("format") != kind:
        raise FolderError(f"{file} is not an agentls {kind.removeprefix('agentls-')} description (format {kind!r})")
    return meta


def _smolagents_tool_source(file: Path) -> str | None:
    """tool.py as smolagents writes it, its `Tool` imported from agentls instead; None
    if the file is not one (no Tool import from smolagents)."""
    if not file.is_file():
        return None
    source = file.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    imports = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module in ("smolagents", "smolagents.tools")
    ]
    if not any(alias.name == "Tool" for node in imports for alias in node.names):
        return None
    lines = source.splitlines(keepends=True)
    for node in imports:
        others = [alias.name for alias in node.names if alias.name != "Tool" or alias.asname]
        if others:
            raise FolderError(f"{file} imports {', '.join(others)} from smolagents; only its Tool can be loaded here")
        # Same line count, so that tracebacks point at the file's own lines.
        lines[node.lineno - 1] = "from agent.tools import Tool\n"
        for number in range(node.lineno, node.end_lineno):
            lines[number] = "\n"
    return "".join(lines)


def _load_smolagents_tool(file: Path, source: str) -> Tool:
    module = _run_module(file, f"agentls_smolagents_tool_{abs(hash(str(file)))}", source)
    classes = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Tool) and obj is not Tool and obj.__module__ == module.__name__
    ]
    if len(classes) != 1:
        found = f"{len(classes)} Tool subclasses" if classes else "no Tool subclass"
        raise FolderError(f"{file} defines {found}; a smolagents tool file defines one (and there is no tool.json)")
    cls = classes[0]
    if isinstance(cls.inputs, str):  # older smolagents wrote the inputs as the repr of a dict
        cls.inputs = ast.literal_eval(cls.inputs)
    missing = [key for key in ("name", "description", "inputs", "output_type") if not hasattr(cls, key)]
    if missing:
        raise FolderError(f"{file}: the tool {cls.__name__} lacks {', '.join(missing)}")
    try:
        tool = cls()
        if callable(getattr(tool, "setup", None)):
            tool.setup()  # smolagents calls it before the first use
    except Exception as e:
        raise FolderError(f"{file}: the tool {cls.__name__} failed to start: {type(e).__name__}: {e}") from e
    return tool


def _run_module(file: Path, name: str, source: str | None = None) -> types.ModuleType:
    """Run a saved tool's module (registered, so that inspect can show its source again)."""
    if not file.is_file():
        raise FolderError(f"{file.parent} has no {file.name}")
    module = types.ModuleType(name)
    module.__file__ = str(file)
    sys.modules[name] = module
    try:
        code = source if source is not None else file.read_text(encoding="utf-8")
        exec(compile(code, str(file), "exec"), module.__dict__)
    except Exception as e:
        del sys.modules[name]
        raise FolderError(f"{file} failed to load: {type(e).__name__}: {e}") from e
    return module


def _tool_metadata(tool: Tool) -> dict:
    return {"name": tool.name, "description": tool.description, "inputs": tool.inputs, "output_type": tool.output_type}


def _readme(name: str, description: str, kind: str) -> str:
    """A Space card: the YAML header the Hub reads, then what the tool or agent does."""
    header = {"title": name, "sdk": "gradio", "tags": ["agentls", "smolagents", kind]}
    return f"---\n{yaml.safe_dump(header, sort_keys=False)}---\n\n{description}\n"
