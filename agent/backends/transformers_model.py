"""A Hugging Face transformers model run in-process (`pip install agentls[transformers]`)."""

import threading
from collections.abc import Iterator
from typing import Any

from agent.models import (
    ChatMessage,
    ChatMessageStreamDelta,
    Model,
    ModelError,
    TokenUsage,
    as_message,
    truncate_at_stop,
)


class TransformersModel(Model):
    def __init__(
        self,
        model_id: str,
        device_map: str | None = None,
        torch_dtype: str | None = None,
        max_new_tokens: int = 1024,
        trust_remote_code: bool = False,
        **kwargs: Any,
    ):
        super().__init__(model_id=model_id, **kwargs)
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise ModelError("TransformersModel needs transformers: pip install 'agentls[transformers]'.") from None
        self.max_new_tokens = max_new_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(model_id, trust_remote_code=trust_remote_code)
        self.model = AutoModelForCausalLM.from_pretrained(
            model_id, device_map=device_map, torch_dtype=torch_dtype, trust_remote_code=trust_remote_code
        )

    def _inputs(self, messages, tools_to_call_from):
        chat = [as_message(m).to_dict() for m in messages]
        tools = [tool.to_tool_schema() for tool in tools_to_call_from] if tools_to_call_from else None
        return self.tokenizer.apply_chat_template(
            chat, tools=tools, add_generation_prompt=True, return_tensors="pt", return_dict=True
        ).to(self.model.device)

    def _stopping(self, stop_sequences, prompt_length):
        from transformers import StoppingCriteria, StoppingCriteriaList

        tokenizer = self.tokenizer

        class StopOnSequences(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                text = tokenizer.decode(input_ids[0][prompt_length:], skip_special_tokens=True)
                return any(stop in text for stop in stop_sequences)

        return StoppingCriteriaList([StopOnSequences()]) if stop_sequences else None

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        inputs = self._inputs(messages, tools_to_call_from)
        prompt_length = inputs["input_ids"].shape[1]
        output = self.model.generate(
            **inputs,
            max_new_tokens=self.max_new_tokens,
            stopping_criteria=self._stopping(stop_sequences, prompt_length),
            **{**self.kwargs, **kwargs},
        )
        new_tokens = output[0][prompt_length:]
        text = truncate_at_stop(self.tokenizer.decode(new_tokens, skip_special_tokens=True), stop_sequences)
        return ChatMessage(
            role="assistant", content=text, token_usage=TokenUsage(int(prompt_length), int(len(new_tokens)))
        )

    def generate_stream(
        self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs
    ) -> Iterator[ChatMessageStreamDelta]:
        from transformers import TextIteratorStreamer

        inputs = self._inputs(messages, tools_to_call_from)
        prompt_length = inputs["input_ids"].shape[1]
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        options = {
            **inputs,
            "max_new_tokens": self.max_new_tokens,
            "streamer": streamer,
            "stopping_criteria": self._stopping(stop_sequences, prompt_length),
        }
        thread = threading.Thread(target=self.model.generate, kwargs={**options, **self.kwargs, **kwargs}, daemon=True)
        thread.start()
        text = ""
        for piece in streamer:
            text += piece
            yield ChatMessageStreamDelta(content=piece)
        thread.join()
        output_tokens = len(self.tokenizer(text)["input_ids"])
        yield ChatMessageStreamDelta(token_usage=TokenUsage(int(prompt_length), output_tokens))
