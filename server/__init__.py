"""agentls's language server and command line (depends on `agent` and `tools`)."""

__version__ = "0.1.0"
