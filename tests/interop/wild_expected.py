"""What each file of ../shared/fixtures/wild holds, read by the harnesses' own means: Python's json
for results and samples files, pyarrow for lighteval details, and Inspect's own read_eval_log for
Inspect logs. tests/wild.rs compares evaldeck's reading with this. One JSON object per line.

usage: python wild_expected.py WILD_DIR
"""
import json
import math
import sys
from pathlib import Path

ROOT = Path(sys.argv[1])
MANIFESTS = {"logs.json", "eval-set.json", "listing.json"}
NOT_METRICS = {"alias", "name", "sample_len", "sample_count"}


def number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def emit(**entry):
    print(json.dumps(entry, sort_keys=True))


def lm_eval_names(key):
    """lm-eval's `metric,filter` key as evaldeck names it: the `none` filter dropped, a standard
    error's `_stderr` moved after the filter."""
    metric, _, filt = key.partition(",")
    stderr = metric.endswith("_stderr")
    base = metric[: -len("_stderr")] if stderr else metric
    shown = base if filt in ("", "none") else f"{base},{filt}"
    return shown + ("_stderr" if stderr else "")


def lm_eval_results(path, doc):
    expected = {}
    for task, entry in doc["results"].items():
        values = {}
        for key, value in entry.items():
            if key in NOT_METRICS or not key.strip() or not number(value):
                continue
            values[lm_eval_names(key)] = value
        expected[task] = values
    subtasks = doc.get("group_subtasks") or {}
    groups = set(doc.get("groups") or {}) | {g for g, subs in subtasks.items() if subs}
    plain = [t for t, subs in subtasks.items() if not subs]
    emit(
        file=str(path.relative_to(ROOT)),
        kind="results",
        harness="lm-eval",
        values=expected,
        plain=plain,
        groups=sorted(groups) if "group_subtasks" in doc else None,
    )


def inspect_log(path):
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(path))
    values = []
    for score in (log.results.scores if log.results else []) or []:
        for metric in score.metrics.values():
            if number(metric.value):
                values.append(metric.value)
    emit(
        file=str(path.relative_to(ROOT)),
        kind="results",
        harness="inspect",
        task=log.eval.task,
        all_values=values,
        samples=len(log.samples or []),
        status=log.status,
    )


def main():
    import pyarrow.parquet as pq

    for path in sorted(p for p in ROOT.rglob("*") if p.is_file()):
        rel = str(path.relative_to(ROOT))
        if path.suffix == ".md":
            continue
        if path.name in MANIFESTS:
            emit(file=rel, kind="manifest")
        elif path.suffix == ".eval":
            inspect_log(path)
        elif path.suffix == ".parquet":
            emit(file=rel, kind="details", rows=pq.ParquetFile(path).metadata.num_rows)
        elif path.name.startswith("samples_"):
            lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
            for line in lines:
                json.loads(line)
            emit(file=rel, kind="samples", harness="lm-eval", samples=len(lines))
        elif path.suffix == ".json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            if "eval" in doc and "status" in doc:
                inspect_log(path)
            elif "config_general" in doc:
                values = {t: {k: v for k, v in m.items() if number(v)} for t, m in doc["results"].items()}
                emit(file=rel, kind="results", harness="lighteval", values=values, plain=[], groups=None)
            else:
                lm_eval_results(path, doc)
        else:
            emit(file=rel, kind="unknown")


main()
