"""Workspace tools for the agent: files, search, navigation, ruff, pytest, edits.

Depends on `agent` (Tool, tool) only. Start with `toolset.workspace_tools`.
"""
