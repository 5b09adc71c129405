"""Times lighteval 0.13's own aggregation of a translation metric, for the comparison in
benches/translation.rs: what `MetricsLogger.aggregate` does per metric — the corpus function on
every sample, then `get_stderr_function(aggregation, bootstrap_iters)` (1,000 sacrebleu runs in a
process pool). Prints the value, the stderr and the seconds taken, as JSON.

    python -m venv /tmp/lv && /tmp/lv/bin/pip install --no-deps lighteval==0.13.0 \
        && /tmp/lv/bin/pip install sacrebleu==2.6.0 numpy scipy scikit-learn tqdm nltk \
           aenum==3.1.15 pytablewriter pydantic colorlog rich termcolor==2.3.0
    /tmp/lv/bin/python benches/lighteval_translation.py target/bench-data/translation-2000x30.json \
        [--metric chrf] [--iters 1000]

lighteval's model stack (torch, transformers, …) is not needed by this code and is replaced by
inert stubs (benches/lighteval_stub.py); the timed functions are lighteval's, unchanged.
"""
import argparse, json, os, sys, time

sys.path.insert(0, os.path.dirname(__file__))
import lighteval_stub  # noqa: E402

os.environ.setdefault("LIGHTEVAL_DISABLE_TQDM", "1")
CorpusLevelTranslationMetric, get_stderr_function, GenerativeCorpusMetricInput = lighteval_stub.load()

parser = argparse.ArgumentParser()
parser.add_argument("corpus")
parser.add_argument("--metric", default="chrf")
parser.add_argument("--iters", type=int, default=1000)
args = parser.parse_args()

rows = json.load(open(args.corpus))
items = [GenerativeCorpusMetricInput(golds=golds, preds=[pred]) for pred, golds in rows]
aggregation = CorpusLevelTranslationMetric(args.metric).compute_corpus

start = time.perf_counter()
value = aggregation(items)
stderr = get_stderr_function(aggregation=aggregation, number_experiments=args.iters)(items)
seconds = time.perf_counter() - start
print(json.dumps({"metric": args.metric, "iters": args.iters, "value": value, "stderr": stderr, "seconds": seconds}))
