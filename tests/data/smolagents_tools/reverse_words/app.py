from smolagents import launch_gradio_demo
from tool import Reverse

tool = Reverse()
launch_gradio_demo(tool)
