"""A real Gradio app, launched locally for the Spaces tests: the API a Space has.

with launched(greeter()) as url: Tool.from_space(url, ...)
"""

import os
from contextlib import contextmanager


def quiet_gradio() -> None:
    """No analytics or update checks: nothing leaves the machine, nothing waits on the network."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def greeter():
    quiet_gradio()
    import gradio as gr

    def greet(name: str, times: int = 1, excited: bool = False) -> str:
        """Greet someone."""
        return " ".join([f"Hello {name}" + ("!" if excited else "")] * int(times))

    def translate(text: str) -> str:
        raise gr.Error("the translation model is overloaded, try again in a minute")

    with gr.Blocks() as app:
        name = gr.Textbox(label="name")
        times = gr.Number(label="times", value=1, precision=0)
        excited = gr.Checkbox(label="excited")
        out = gr.Textbox(label="greeting")
        gr.Button("greet").click(greet, [name, times, excited], out, api_name="greet")
        gr.Button("translate").click(translate, [name], out, api_name="translate")
    return app


@contextmanager
def launched(app):
    app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True, show_error=True)
    try:
        yield app.local_url
    finally:
        app.close()
