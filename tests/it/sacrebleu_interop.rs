//! Interop with the real sacrebleu (pinned in tests/interop/requirements.txt): BLEU, chrF, chrF++
//! and TER over generated corpora — unicode, empty predictions, punctuation, numbers, Chinese
//! text, one reference and several — called the way lighteval 0.13's
//! `CorpusLevelTranslationMetric.compute_corpus` calls them, and with each prediction against its
//! own golds. Values and bootstrap standard errors (lighteval's resamples and `mean_stderr`) must
//! agree to 1e-9. The Python side is lighteval's calling convention written out, not evaldeck's.

use crate::support;

use std::sync::Arc;

use crate::support::{Rng, interop_python, python};
use evaldeck::stats::sacrebleu::tokenize::{tokenize_13a, tokenize_tercom, tokenize_zh};
use evaldeck::stats::{
    Lang, ReferenceLayout, StderrConvention, Translation, TranslationMetric, TranslationSample,
};
use serde_json::{Value, json};

const BOOTSTRAP_ITERS: usize = 60;

trait Pick {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str;
}

impl Pick for Rng {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const LATIN: &[&str] = &[
    "the",
    "cat",
    "sat",
    "on",
    "mat",
    "The",
    "dog",
    "runs",
    "fast",
    "home",
    "don't",
    "it's",
    "3.50",
    "1,000",
    "1990-2000",
    "2-3",
    "e.g.",
    "U.S.",
    "(hi)",
    "[note]",
    "&amp;",
    "&quot;x&quot;",
    "a-\nb",
    "\"quoted\"",
    "well,",
    "end.",
    "why?",
    "yes!",
    "x/y",
    "50%",
    "#tag",
    "@user",
    "~ok~",
    "über",
    "café",
    "naïve",
    "ΣΟΦΙΑ",
    "ΟΔΟΣ",
    "Москва",
    "🚀",
    "✅",
    "\u{a0}",
    "\t",
    "\u{1c}",
    "…",
    "“smart”",
    "—",
    "€5",
    "½",
];

const CHINESE: &[&str] = &[
    "我",
    "爱",
    "北京",
    "天安门",
    "。",
    "，",
    "“你好”",
    "2023年",
    "GPT-4",
    "模型",
    "翻译",
    "很好",
    "！",
    "？",
    "……",
    "《书》",
    "AI",
    "3.14",
    "、",
    "（注）",
];

/// `shortest + (0..spread)` words from `words`.
fn sentence(rng: &mut Rng, words: &[&str], shortest: usize, spread: usize, joiner: &str) -> String {
    let len = shortest + rng.below(spread);
    (0..len)
        .map(|_| rng.pick(words))
        .collect::<Vec<_>>()
        .join(joiner)
}

/// A corpus: `(name, lang, samples)`; each sample's prediction and its golds.
type Corpus = (&'static str, &'static str, Vec<(String, Vec<String>)>);

fn corpora() -> Vec<Corpus> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut corpora = Vec::new();

    let one_reference = (0..24)
        .map(|_| {
            let gold = sentence(&mut rng, LATIN, 4, 14, " ");
            // Half the predictions are the gold with a few words changed or moved.
            let prediction = if rng.below(2) == 0 {
                let mut words: Vec<&str> = gold.split(' ').collect();
                let i = rng.below(words.len());
                words[i] = rng.pick(LATIN);
                words.rotate_left(rng.below(3));
                words.join(" ")
            } else {
                sentence(&mut rng, LATIN, 1, 16, " ")
            };
            (prediction, vec![gold])
        })
        .collect();
    corpora.push(("one reference, punctuation and numbers", "", one_reference));

    let several = (0..16)
        .map(|_| {
            let golds = (0..1 + rng.below(3))
                .map(|_| sentence(&mut rng, LATIN, 3, 10, " "))
                .collect::<Vec<_>>();
            let prediction = if rng.below(3) == 0 {
                golds[golds.len() - 1].to_uppercase()
            } else {
                sentence(&mut rng, LATIN, 2, 10, " ")
            };
            (prediction, golds)
        })
        .collect();
    corpora.push(("several references, unicode", "", several));

    let chinese = (0..18)
        .map(|_| {
            let gold = sentence(&mut rng, CHINESE, 3, 10, "");
            let prediction = if rng.below(2) == 0 {
                gold.chars().skip(1).collect()
            } else {
                sentence(&mut rng, CHINESE, 2, 10, "")
            };
            (
                prediction,
                vec![gold, sentence(&mut rng, CHINESE, 4, 1, " ")],
            )
        })
        .collect();
    corpora.push(("Chinese, two references", "zh", chinese));

    let empty = (0..12)
        .map(|i| {
            let gold = if i % 5 == 4 {
                String::new()
            } else {
                sentence(&mut rng, LATIN, 2, 6, " ")
            };
            let prediction = if i % 3 == 0 {
                String::new()
            } else {
                sentence(&mut rng, LATIN, 1, 6, " ")
            };
            (prediction, vec![gold])
        })
        .collect();
    corpora.push(("empty predictions and golds", "", empty));

    let perfect = (0..10)
        .map(|_| {
            let text = sentence(&mut rng, LATIN, 5, 8, " ");
            (text.clone(), vec![text])
        })
        .collect();
    corpora.push(("perfect translations", "fr", perfect));
    corpora
}

const SCRIPT: &str = r#"
import json, math, random, sys
import numpy as np
import sacrebleu
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh
from sacrebleu.tokenizers.tokenizer_ter import TercomTokenizer

def metric(kind, lang):
    # lighteval 0.13, CorpusLevelTranslationMetric.get_metric
    if kind == "bleu":
        return sacrebleu.BLEU(trg_lang=lang)
    if kind == "chrf":
        return sacrebleu.CHRF()
    if kind == "chrf++":
        return sacrebleu.CHRF(word_order=2)
    return sacrebleu.TER(asian_support=True if lang != "" else False)

def lighteval_layout(kind, lang, items):
    # lighteval 0.13, CorpusLevelTranslationMetric.compute_corpus
    golds = [golds for _, golds in items]
    preds = [pred for pred, _ in items]
    if kind == "bleu":
        golds = [[gold[0] for gold in golds]]
    return float(metric(kind, lang).corpus_score(hypotheses=preds, references=golds).score)

def corpus_layout(kind, lang, items):
    golds = [golds for _, golds in items]
    preds = [pred for pred, _ in items]
    most = max(len(g) for g in golds)
    streams = [[g[j] if j < len(g) else None for g in golds] for j in range(most)]
    return float(metric(kind, lang).corpus_score(hypotheses=preds, references=streams).score)

def mean_stderr(arr):
    # lighteval's metrics/utils/stderr.py
    mu = np.mean(arr)
    return math.sqrt(sum((x - mu) ** 2 for x in arr) / (len(arr) - 1)) / math.sqrt(len(arr))

def bootstrap(fn, population, iters):
    # lighteval's bootstrap_stderr and _bootstrap_internal, without the process pool
    draws = min(1000, iters)
    res = []
    for seed in range(iters // draws):
        rnd = random.Random()
        rnd.seed(seed)
        res.extend(fn(rnd.choices(population, k=len(population))) for _ in range(draws))
    return mean_stderr(res)

request = json.load(open(sys.argv[1]))
iters = request["iters"]
out = {"corpora": [], "tokens": {}}
for corpus in request["corpora"]:
    lang, items = corpus["lang"], [(s[0], s[1]) for s in corpus["samples"]]
    results = {}
    for kind in ["bleu", "chrf", "chrf++", "ter"]:
        for name, layout in [("lighteval", lighteval_layout), ("corpus", corpus_layout)]:
            fn = lambda sample, kind=kind, layout=layout: layout(kind, lang, sample)
            results[f"{kind}/{name}"] = {"value": fn(items), "stderr": bootstrap(fn, items, iters)}
    out["corpora"].append(results)
t13a, tzh, tter = Tokenizer13a(), TokenizerZh(), TercomTokenizer()
for line in request["lines"]:
    out["tokens"][line] = [t13a(line.rstrip()), tzh(line.rstrip()), tter(line.rstrip())]
print(json.dumps(out))
"#;

fn samples(items: &[(String, Vec<String>)]) -> Vec<Arc<TranslationSample>> {
    items
        .iter()
        .map(|(prediction, golds)| {
            Arc::new(TranslationSample {
                prediction: prediction.clone(),
                golds: golds.clone(),
            })
        })
        .collect()
}

#[test]
fn bleu_chrf_and_ter_equal_sacrebleu_in_both_layouts_with_lighteval_s_bootstrap() {
    let Some(py) = interop_python() else { return };
    let corpora = corpora();
    // Every text of every corpus also goes through the three tokenizers on their own.
    let mut lines: Vec<String> = corpora
        .iter()
        .flat_map(|(_, _, s)| {
            s.iter()
                .flat_map(|(p, g)| std::iter::once(p.clone()).chain(g.clone()))
        })
        .collect();
    lines.extend(LATIN.iter().chain(CHINESE).map(|w| (*w).to_owned()));
    lines.sort();
    lines.dedup();
    let request = json!({
        "iters": BOOTSTRAP_ITERS,
        "corpora": corpora.iter().map(|(_, lang, s)| json!({"lang": lang, "samples": s})).collect::<Vec<_>>(),
        "lines": lines,
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("request.json");
    std::fs::write(&path, request.to_string()).unwrap();
    let answer: Value = serde_json::from_str(&python(&py, SCRIPT, &[&path])).unwrap();

    for (line, expected) in answer["tokens"].as_object().unwrap() {
        let line = line.trim_end_matches(evaldeck::stats::sacrebleu::tokenize::is_py_space);
        let ours = [tokenize_13a(line), tokenize_zh(line), tokenize_tercom(line)];
        for (mine, theirs) in ours.iter().zip(expected.as_array().unwrap()) {
            assert_eq!(mine, theirs.as_str().unwrap(), "tokens of {line:?}");
        }
    }

    let mut compared = 0;
    for ((name, lang, items), expected) in corpora.iter().zip(answer["corpora"].as_array().unwrap())
    {
        let samples = samples(items);
        let all: Vec<usize> = (0..samples.len()).collect();
        for metric in [
            TranslationMetric::Bleu,
            TranslationMetric::Chrf,
            TranslationMetric::ChrfPlusPlus,
            TranslationMetric::Ter,
        ] {
            let translation = Translation::new(metric, Lang::new(lang).unwrap()).unwrap();
            for (layout, layout_name) in [
                (ReferenceLayout::Lighteval, "lighteval"),
                (ReferenceLayout::Corpus, "corpus"),
            ] {
                let key = format!("{}/{layout_name}", metric.name());
                let theirs = &expected[&key];
                let value = translation.score(&samples, &all, layout).unwrap();
                let stderr = translation
                    .stderr(
                        &samples,
                        BOOTSTRAP_ITERS,
                        StderrConvention::Lighteval,
                        layout,
                    )
                    .unwrap();
                for (what, mine, theirs) in [
                    ("value", value, theirs["value"].as_f64().unwrap()),
                    ("stderr", stderr, theirs["stderr"].as_f64().unwrap()),
                ] {
                    assert!(
                        (mine - theirs).abs() <= 1e-9,
                        "{name}, {key} {what}: ours {mine}, sacrebleu {theirs}"
                    );
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 5 * 4 * 2 * 2);
}

/// `show` marks the fixture's translation rows as lighteval's reference layout, leaves their
/// values as stored, and offers `chrf_corpus` / `ter_corpus`, which equal sacrebleu's corpus
/// scores over the details as pyarrow reads them.
#[test]
fn show_s_corpus_scores_equal_sacrebleu_over_the_fixture_details() {
    let Some(py) = interop_python() else { return };
    let output = crate::support::evaldeck_command()
        .args(["show", "--format", "json", "--model", "org-b/model-b"])
        .arg(support::fixture("lighteval-0.13"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        shown["lighteval_reference_layout"],
        json!([
            {"task": "translate|0", "metric": "chrf"},
            {"task": "translate|0", "metric": "ter"},
        ])
    );
    let details = support::files_with_suffix(
        &support::fixture("lighteval-0.13/details/org-b"),
        ".parquet",
    )
    .into_iter()
    .find(|p| p.to_string_lossy().contains("translate"))
    .unwrap();
    let script = r#"
import json, sys
import pyarrow.parquet as pq
import sacrebleu
rows = pq.read_table(sys.argv[1]).column("metric").to_pylist()
out = {}
for name, metric in [("chrf", sacrebleu.CHRF()), ("ter", sacrebleu.TER())]:
    preds = [r[name]["preds"][0] for r in rows]
    golds = [r[name]["golds"] for r in rows]
    most = max(len(g) for g in golds)
    streams = [[g[j] if j < len(g) else None for g in golds] for j in range(most)]
    out[name] = metric.corpus_score(preds, streams).score
print(json.dumps(out))
"#;
    let expected: Value = serde_json::from_str(&python(&py, script, &[&details])).unwrap();
    let scores = shown["evaldeck_corpus_scores"].as_array().unwrap();
    assert_eq!(scores.len(), 2, "{scores:?}");
    for score in scores {
        let metric = score["metric"].as_str().unwrap();
        assert_eq!(score["name"], format!("{metric}_corpus"));
        let (ours, theirs) = (
            score["value"].as_f64().unwrap(),
            expected[metric].as_f64().unwrap(),
        );
        assert!(
            (ours - theirs).abs() <= 1e-9,
            "{metric}: {ours} vs {theirs}"
        );
        // lighteval's own value stays as stored, and differs.
        let stored = shown["results"]["translate|0"][metric].as_f64().unwrap();
        assert!((stored - ours).abs() > 1.0, "{metric}: {stored} vs {ours}");
    }
}
