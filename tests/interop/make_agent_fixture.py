"""Write the small agent log of tests/fixtures/inspect-agent/ (and assets/) with Inspect itself:
mockllm/model answers with scripted tool calls, so the log is real Inspect output with
  - sample `archive`: two `lookup` calls, then an answer with a reasoning part before it;
  - sample `broken`: a `fetch` call that fails (ToolError), then an answer;
  - sample `endless`: keeps calling `lookup` until the message limit stops it (a sample_limit event);
  - sample `picture`: its input holds an image (a tiny PNG as a data URI).

usage: OUT=DIR python make_agent_fixture.py
"""

from __future__ import annotations

import os
from pathlib import Path

from inspect_ai import Task, eval, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessageUser,
    ContentImage,
    ContentReasoning,
    ContentText,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.scorer import includes
from inspect_ai.solver import generate, use_tools
from inspect_ai.tool import ToolError, tool

OUT = Path(os.environ.get("OUT", "out-agent-fixture")).resolve()
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@tool
def lookup():
    async def execute(key: str) -> str:
        """Look up a key in the archive.

        Args:
            key: the key to look up.
        """
        return f"archive[{key}]: entry found, status open, filed 2026-01-0{len(key) % 9 + 1}"

    return execute


@tool
def fetch():
    async def execute(url: str) -> str:
        """Fetch a page.

        Args:
            url: the page's address.
        """
        raise ToolError(f"could not reach {url}: connection refused")

    return execute


def answer(input, tools, tool_choice, config):
    sid = next(m for m in input if m.role == "user").metadata["sid"]
    calls = sum(1 for m in input if m.role == "tool")
    usage = ModelUsage(input_tokens=120 + 80 * calls, output_tokens=30, total_tokens=150 + 80 * calls)

    def call(function, arguments, n):
        out = ModelOutput.for_tool_call(
            "mockllm/model", function, arguments, tool_call_id=f"{sid}-{n}",
            content=f"Calling {function} ({n + 1}).",
        )
        out.usage = usage
        return out

    if sid == "archive" and calls < 2:
        return call("lookup", {"key": f"item-{calls}"}, calls)
    if sid == "broken" and calls < 1:
        return call("fetch", {"url": "https://example.invalid/report"}, calls)
    if sid == "endless":
        return call("lookup", {"key": f"page-{calls}"}, calls)
    out = ModelOutput.from_content(model="mockllm/model", content="ANSWER: yes")
    if sid == "archive":
        out.choices[0].message.content = [
            ContentReasoning(reasoning="Both entries are open, so the item is on file.\nI should answer yes."),
            ContentText(text="ANSWER: yes"),
        ]
        out.completion = "ANSWER: yes"
    out.usage = usage
    return out


def sample(sid, text, extra=None):
    content = [ContentText(text=text)] + (extra or [])
    return Sample(
        id=sid,
        input=[ChatMessageUser(content=content, metadata={"sid": sid})],
        target="yes",
    )


@task
def agent_fixture():
    return Task(
        dataset=MemoryDataset([
            sample("archive", "Is item 7 on file in the archive? Answer yes or no."),
            sample("broken", "Fetch the report and say whether it is ready."),
            sample("endless", "Read every page of the archive."),
            sample("picture", "Is there anything in this picture?", [ContentImage(image=PNG)]),
        ]),
        solver=[use_tools(lookup(), fetch()), generate(tool_calls="loop")],
        scorer=includes(),
        message_limit=8,
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    model = get_model("mockllm/model", custom_outputs=answer)
    eval(agent_fixture(), model=model, log_dir=str(OUT), log_format="eval", display="none",
         max_samples=1, tags=["fixture"])
