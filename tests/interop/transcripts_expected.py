"""Every sample's transcript as Inspect's own reader gives it, for tests/it/transcripts.rs to
compare with evaldeck's: read_eval_log(path, resolve_attachments=True), then per sample its
messages (role, text, tool calls with their arguments, the call a tool message answers, the
error of a failed tool), the kind of every event in order, what each model call was given, and
each tool call. One JSON object per sample.

usage: python transcripts_expected.py LOG...
"""
import json
import sys

from inspect_ai.log import read_eval_log


def message(m):
    entry = {"role": m.role, "text": m.text}
    calls = getattr(m, "tool_calls", None) or []
    if calls:
        entry["tool_calls"] = [
            {"id": c.id, "function": c.function, "arguments": c.arguments} for c in calls
        ]
    if m.role == "tool":
        entry["tool_call_id"] = m.tool_call_id
        entry["error"] = m.error.type if m.error else None
    return entry


for path in sys.argv[1:]:
    try:
        log = read_eval_log(path, resolve_attachments=True)
    except Exception as e:  # a log Inspect itself cannot read is said so, not compared
        print(json.dumps({"log": path, "unreadable": f"{type(e).__name__}: {e}"}))
        continue
    for sample in log.samples or []:
        print(
            json.dumps(
                {
                    "log": path,
                    "id": sample.id if isinstance(sample.id, str) else str(sample.id),
                    "epoch": sample.epoch,
                    "messages": [message(m) for m in sample.messages],
                    "events": [e.event for e in sample.events],
                    # What each model call was given (pooled inputs expanded, attachments
                    # resolved) and each tool call's function, arguments and error.
                    # A model call whose pooled input Inspect could not expand (a 2025 development
                    # build pooled it under `message_pool`, which Inspect's reader ignores) is
                    # null: evaldeck expands it, and there is nothing to compare it with.
                    "model_inputs": [
                        None
                        if e.input_refs is not None
                        else [[m.role, m.text] for m in e.input]
                        for e in sample.events
                        if e.event == "model"
                    ],
                    "tools": [
                        [e.function, e.arguments, e.error.type if e.error else None]
                        for e in sample.events
                        if e.event == "tool"
                    ],
                },
                ensure_ascii=False,
                default=str,
            )
        )
