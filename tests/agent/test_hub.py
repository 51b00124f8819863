"""Tools and agents pushed to and loaded from the Hub, through the real huggingface_hub
against a local server that speaks its API (tests/helpers/fake_hub.py). Nothing leaves
the machine: HF_ENDPOINT points at the fake and the cache is a temp folder."""

from pathlib import Path

import pytest

from agent import CodeAgent, ScriptedModel, Tool
from tests.helpers.fake_hub import FakeHub
from tests.helpers.tools_to_share import Shorten, word_count

SMOLAGENTS_TOOLS = Path(__file__).resolve().parents[1] / "data" / "smolagents_tools"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    import huggingface_hub.constants as constants

    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        # huggingface_hub reads these once, when first imported (maybe by another test): set them there too.
        monkeypatch.setattr(constants, "ENDPOINT", fake.url)
        monkeypatch.setattr(
            constants, "HUGGINGFACE_CO_URL_TEMPLATE", fake.url + "/{repo_id}/resolve/{revision}/{filename}"
        )
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        yield fake
        assert not fake.unhandled, f"huggingface_hub called routes the fake Hub lacks: {fake.unhandled}"


def test_a_tool_is_pushed_to_a_space_and_loaded_back(hub):
    url = word_count.push_to_hub("me/word-count", commit_message="First version")
    repo = hub.repos[("space", "me/word-count")]
    assert url.startswith(f"{hub.url}/spaces/me/word-count/commit/")
    assert repo.sdk == "gradio" and repo.commits == ["First version"]
    assert sorted(repo.files) == ["README.md", "requirements.txt", "tool.json", "tool.py"]
    assert b"tags:\n- agentls" in repo.files["README.md"]

    loaded = Tool.from_hub("me/word-count", trust_remote_code=True)
    assert loaded("one two three") == 3
    assert loaded.to_signature() == word_count.to_signature()


def test_pushing_again_updates_the_space(hub):
    Shorten().push_to_hub("me/shorten")
    Shorten().push_to_hub("me/shorten", commit_message="Again")
    assert hub.repos[("space", "me/shorten")].commits == ["Upload tool", "Again"]
    assert Tool.from_hub("me/shorten", trust_remote_code=True)(text="a b c") == "a b c"


def test_remote_code_is_loaded_only_with_trust(hub):
    word_count.push_to_hub("me/word-count")
    with pytest.raises(ValueError, match=r"me/word-count.*running its code.*trust_remote_code=True"):
        Tool.from_hub("me/word-count")
    with pytest.raises(ValueError, match="trust_remote_code=True"):
        CodeAgent.from_hub("me/word-count", model=ScriptedModel([]))


def test_a_missing_space_says_so(hub):
    from huggingface_hub.errors import RepositoryNotFoundError

    with pytest.raises(RepositoryNotFoundError):
        Tool.from_hub("me/nothing-here", trust_remote_code=True)


def test_an_agent_is_pushed_and_loaded_back(hub):
    agent = CodeAgent(tools=[word_count], model=ScriptedModel([]), max_steps=5)
    try:
        agent.push_to_hub("me/counter")
    finally:
        agent.close()
    files = hub.repos[("space", "me/counter")].files
    assert {"agent.json", "prompts.yaml", "requirements.txt", "tools/word_count/tool.py"} <= set(files)

    model = ScriptedModel(["```python\nfinal_answer(word_count('a b'))\n```"])
    loaded = CodeAgent.from_hub("me/counter", model=model, trust_remote_code=True)
    try:
        assert loaded.max_steps == 5 and loaded.run("Count the words of 'a b'.") == 2
    finally:
        loaded.close()


def test_a_tool_pushed_by_smolagents_loads(hub):
    # The files smolagents' Tool.save wrote (tests/data/smolagents_tools; smolagents 1.26), uploaded as it pushes them.
    from huggingface_hub import HfApi

    api = HfApi()
    api.create_repo("them/count-vowels", repo_type="space", space_sdk="gradio")
    api.upload_folder(
        folder_path=str(SMOLAGENTS_TOOLS / "count_vowels"), repo_id="them/count-vowels", repo_type="space"
    )
    loaded = Tool.from_hub("them/count-vowels", trust_remote_code=True)
    assert loaded.name == "count_vowels" and loaded(text="Agentic") == 3
