"""Tools and agents as folders: save, load, and what is refused (tests/helpers/tools_to_share.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent import CodeAgent, ScriptedModel, Tool, ToolCallingAgent
from agent.sharing import FolderError
from agent.tool_source import ToolNotPortable
from tests.helpers.tools_to_share import Configured, Shorten, make_greeter, price, word_count

SMOLAGENTS_TOOLS = Path(__file__).resolve().parents[1] / "data" / "smolagents_tools"


@pytest.fixture
def agents():
    made = []

    def make(kind=CodeAgent, **kwargs):
        agent = kind(**kwargs)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        if isinstance(agent, CodeAgent):
            agent.close()


def test_a_function_tool_round_trips_through_a_folder(tmp_path):
    word_count.save(tmp_path / "word_count")
    assert sorted(p.name for p in (tmp_path / "word_count").iterdir()) == [
        "README.md",
        "requirements.txt",
        "tool.json",
        "tool.py",
    ]
    code = (tmp_path / "word_count" / "tool.py").read_text()
    assert "import re\n" in code and "from agent import tool\n" in code and "@tool\ndef word_count(" in code
    loaded = Tool.from_dir(tmp_path / "word_count")
    assert loaded("a bb ccc", min_length=2) == 2
    assert loaded.to_signature() == word_count.to_signature()
    assert loaded.to_tool_schema() == word_count.to_tool_schema()


def test_a_tool_subclass_round_trips_and_its_module_runs_on_its_own(tmp_path):
    Shorten().save(tmp_path / "shorten")
    loaded = Tool.from_dir(tmp_path / "shorten")
    assert loaded(text="the quick brown fox jumps over the lazy dog") == "the quick brown..."
    assert loaded.inputs == Shorten.inputs
    meta = json.loads((tmp_path / "shorten" / "tool.json").read_text())
    assert meta["requirements"] == ["agentls"] and meta["object"] == "Shorten"
    # self-contained: a fresh interpreter, nothing of the tests importable
    check = "import runpy; m = runpy.run_path('tool.py'); print(m['Shorten']()(text='a b', width=10))"
    done = subprocess.run([sys.executable, "-c", check], cwd=tmp_path / "shorten", capture_output=True, text=True)
    assert done.stdout == "a b\n", done.stderr


def test_a_loaded_tool_can_be_saved_again(tmp_path):
    word_count.save(tmp_path / "first")
    Tool.from_dir(tmp_path / "first").save(tmp_path / "second")
    assert (tmp_path / "second" / "tool.py").read_text() == (tmp_path / "first" / "tool.py").read_text()


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        (price, "uses 'PRICES', defined next to it rather than imported"),
        (make_greeter("Hello"), "uses the local variables greeting of the function that defines it"),
        (Configured("x"), r"Configured\(\) needs the arguments setting"),
    ],
)
def test_tools_that_cannot_stand_alone_are_refused_with_the_reason(tmp_path, tool, message):
    with pytest.raises(ToolNotPortable, match=message):
        tool.save(tmp_path / "tool")
    assert not (tmp_path / "tool").exists()


def test_a_folder_with_missing_or_broken_metadata_is_refused_clearly(tmp_path):
    with pytest.raises(FolderError, match="no folder at"):
        Tool.from_dir(tmp_path / "nowhere")
    word_count.save(tmp_path / "t")
    (tmp_path / "t" / "tool.json").unlink()
    with pytest.raises(FolderError, match=r"does not hold a tool: tool.json is missing \(Tool.save writes it\)"):
        Tool.from_dir(tmp_path / "t")
    (tmp_path / "t" / "tool.json").write_text('{"format": "agentls-tool", "name": "word_count"')
    with pytest.raises(FolderError, match="tool.json is not valid JSON"):
        Tool.from_dir(tmp_path / "t")
    (tmp_path / "t" / "tool.json").write_text('{"format": "agentls-tool", "version": 1, "name": "word_count"}')
    with pytest.raises(FolderError, match="tool.json lacks description, inputs, output_type, object"):
        Tool.from_dir(tmp_path / "t")


def test_tools_saved_by_smolagents_load_as_ours(tmp_path):
    # The files smolagents' Tool.save wrote (smolagents 1.26): a @tool function and a Tool subclass with setup().
    vowels = Tool.from_dir(SMOLAGENTS_TOOLS / "count_vowels")
    assert vowels("Agentic") == 3 and vowels(text="Python", include_y=True) == 2
    assert vowels.to_signature().startswith("def count_vowels(text: str, include_y: bool = False) -> int:")
    reverse = Tool.from_dir(SMOLAGENTS_TOOLS / "reverse_words")
    assert reverse(sentence="one two three") == "three two one"  # its setup() ran
    model = ScriptedModel(["```python\nfinal_answer(reverse_words('a b'))\n```"])
    agent = CodeAgent(tools=[reverse], model=model)
    try:
        assert agent.run("Reverse 'a b'.") == "b a"
    finally:
        agent.close()


def test_a_smolagents_tool_file_that_cannot_be_loaded_says_why(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "tool.py").write_text("from smolagents import Tool, CodeAgent\n")
    with pytest.raises(FolderError, match="imports CodeAgent from smolagents; only its Tool can be loaded here"):
        Tool.from_dir(folder)
    (folder / "tool.py").write_text("from smolagents import Tool\n\nX = 1\n")
    with pytest.raises(FolderError, match="defines no Tool subclass; a smolagents tool file defines one"):
        Tool.from_dir(folder)
    source = (SMOLAGENTS_TOOLS / "reverse_words" / "tool.py").read_text()
    (folder / "tool.py").write_text(source.replace('self.separator = " "', "raise RuntimeError('no model')"))
    with pytest.raises(FolderError, match="the tool Reverse failed to start: RuntimeError: no model"):
        Tool.from_dir(folder)


def test_a_tool_module_that_fails_or_does_not_match_its_metadata_is_refused(tmp_path):
    word_count.save(tmp_path / "t")
    meta = json.loads((tmp_path / "t" / "tool.json").read_text())
    (tmp_path / "t" / "tool.json").write_text(json.dumps({**meta, "name": "count_words"}))
    with pytest.raises(FolderError, match="defines the tool 'word_count', but tool.json says 'count_words'"):
        Tool.from_dir(tmp_path / "t")
    (tmp_path / "t" / "tool.py").write_text("import no_such_module_here\n")
    with pytest.raises(FolderError, match="tool.py failed to load: ModuleNotFoundError"):
        Tool.from_dir(tmp_path / "t")


def test_an_agent_round_trips_with_its_tools_prompts_settings_and_managed_agents(tmp_path, agents):
    helper = agents(
        ToolCallingAgent, tools=[Shorten()], model=ScriptedModel([]), name="shortener", description="Shortens texts."
    )
    agent = agents(
        tools=[word_count],
        model=ScriptedModel([]),
        managed_agents=[helper],
        additional_authorized_imports=["math"],
        max_steps=7,
        instructions="Answer in one line.",
    )
    agent.save(tmp_path / "agent")
    meta = json.loads((tmp_path / "agent" / "agent.json").read_text())
    assert meta["class"] == "CodeAgent" and meta["tools"] == ["word_count"]
    assert meta["managed_agents"] == ["shortener"]
    assert (tmp_path / "agent" / "requirements.txt").read_text() == "agentls\n"

    model = ScriptedModel(["```python\nfinal_answer(word_count('one two three'))\n```"])
    loaded = agents(CodeAgent.from_dir, folder=tmp_path / "agent", model=model)
    assert loaded.max_steps == 7 and loaded.instructions == "Answer in one line."
    assert loaded.additional_authorized_imports == ["math"]
    assert loaded.prompt_templates == agent.prompt_templates
    assert isinstance(loaded.managed_agents["shortener"], ToolCallingAgent)
    assert sorted(loaded.managed_agents["shortener"].tools) == ["final_answer", "shorten"]
    assert loaded.system_prompt() == agent.system_prompt()
    assert loaded.run("How many words in 'one two three'?") == 3


def test_an_agent_folder_loads_only_as_its_own_class(tmp_path, agents):
    agents(ToolCallingAgent, tools=[word_count], model=ScriptedModel([])).save(tmp_path / "agent")
    with pytest.raises(FolderError, match="holds a ToolCallingAgent, not a CodeAgent"):
        CodeAgent.from_dir(tmp_path / "agent", model=ScriptedModel([]))
    with pytest.raises(FolderError, match="does not hold an agent: agent.json is missing"):
        CodeAgent.from_dir(tmp_path / "agent" / "tools" / "word_count", model=ScriptedModel([]))
