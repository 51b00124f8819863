"""Model back ends, one module each, imported lazily through `agent.models`."""
