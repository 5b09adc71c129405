//! Corpus-level aggregations as lighteval computes them: which one a config names, each sample's
//! input, the value and its standard error (MCC and F1 in `classification.rs`, sacrebleu's in
//! `translation.rs`). lighteval's classes wrap scikit-learn and sacrebleu; the formulas here follow
//! theirs operation for operation, so values agree to the last bits.

use std::sync::Arc;

use super::classification::{LabelCounts, f1_scores, mcc};
use super::translation::{
    Lang, ReferenceLayout, Translation, TranslationMetric, TranslationSample,
};
use crate::model::Json;

/// How a task's per-sample values of one metric become one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Mean,
    Median,
    /// Python's `max` / `min` over the values (as in the copyright metrics).
    Max,
    Min,
    /// `MatthewsCorrCoef()`: scikit-learn's `matthews_corrcoef(golds, preds)`.
    Mcc,
    /// `CorpusLevelF1Score(average=…, num_classes=…)`.
    F1 {
        average: Option<F1Average>,
        num_classes: u32,
    },
    /// `exp(-mean(logprob))`.
    Perplexity,
    /// `exp(-Σ logprob / Σ weight)` (word or byte perplexity).
    WeightedPerplexity,
    /// `-Σ logprob / Σ weight / ln 2`.
    BitsPerByte,
    /// `CorpusLevelTranslationMetric(metric_type=…, lang=…)`: sacrebleu's BLEU, chrF, chrF++ or
    /// TER, with lighteval's reference layout.
    Translation(Translation),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum F1Average {
    Macro,
    Micro,
    Weighted,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregationError {
    #[error(
        "unknown aggregation `{0}`: evaldeck computes mean, median, max, min, MatthewsCorrCoef(), \
         CorpusLevelF1Score(average=…, num_classes=…), CorpusLevelTranslationMetric(metric_type=\
         bleu|chrf|chrf++|ter, lang=…), perplexity, weighted_perplexity, bits_per_byte"
    )]
    Unknown(String),
    #[error("aggregation `{aggregation}`: {source}")]
    Unsupported {
        aggregation: String,
        source: super::sacrebleu::SacrebleuError,
    },
    #[error("sample {index}: {found} is not a valid input for {aggregation} (expected {expected})")]
    WrongShape {
        index: usize,
        aggregation: String,
        expected: &'static str,
        found: String,
    },
}

/// One sample's input to an aggregation.
#[derive(Debug, Clone, PartialEq)]
pub enum CorpusInput {
    Number(f64),
    /// `{golds, preds}` of a classification metric (the first gold).
    Label {
        gold: i64,
        pred: i64,
    },
    /// `{logprobs, weights}` of a perplexity metric.
    LogProb {
        logprob: f64,
        weight: f64,
    },
    /// `{golds, preds}` of a translation metric: the first prediction and every gold.
    Text(Arc<TranslationSample>),
}

/// `key=value` arguments of a rendering such as `CorpusLevelF1Score(average=None, num_classes=2)`.
fn argument(text: &str, key: &str) -> Option<String> {
    let args = text
        .split_once('(')
        .map_or("", |(_, rest)| rest.trim_end_matches([')', '>', ' ']));
    args.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches(['\'', '"']).to_owned())
    })
}

impl Aggregation {
    /// Parses lighteval's rendering of a corpus-level function: `mean`, `np.mean`,
    /// `<function mean at 0x…>`, `max`, `MatthewsCorrCoef()`,
    /// `CorpusLevelF1Score(average=None, num_classes=2)`,
    /// `CorpusLevelTranslationMetric(metric_type=chrf, lang=)`…
    pub fn parse(text: &str) -> Result<Aggregation, AggregationError> {
        let unknown = || AggregationError::Unknown(text.to_owned());
        let name = crate::model::short_function_name(text);
        let lower = text.to_lowercase();
        Ok(match name.as_str() {
            "mean" | "nanmean" | "average" => Aggregation::Mean,
            "median" => Aggregation::Median,
            "max" | "amax" | "nanmax" => Aggregation::Max,
            "min" | "amin" | "nanmin" => Aggregation::Min,
            "MatthewsCorrCoef" | "matthews_corrcoef" => Aggregation::Mcc,
            "CorpusLevelF1Score" => {
                let average = match argument(text, "average").as_deref() {
                    None | Some("None") => None,
                    Some("macro") => Some(F1Average::Macro),
                    Some("micro") => Some(F1Average::Micro),
                    Some("weighted") => Some(F1Average::Weighted),
                    Some(_) => return Err(unknown()),
                };
                let num_classes = argument(text, "num_classes")
                    .map_or(Ok(2), |n| n.parse().map_err(|_| unknown()))?;
                Aggregation::F1 {
                    average,
                    num_classes,
                }
            }
            "CorpusLevelTranslationMetric" => {
                let metric = argument(text, "metric_type")
                    .as_deref()
                    .and_then(TranslationMetric::parse)
                    .ok_or_else(unknown)?;
                let lang = argument(text, "lang").unwrap_or_default();
                let lang = Lang::new(&lang).ok_or_else(unknown)?;
                let translation = Translation::new(metric, lang).map_err(|source| {
                    AggregationError::Unsupported {
                        aggregation: text.to_owned(),
                        source,
                    }
                })?;
                Aggregation::Translation(translation)
            }
            _ if lower.contains("bits_per_byte") => Aggregation::BitsPerByte,
            _ if lower.contains("weighted_perplexity") => Aggregation::WeightedPerplexity,
            _ if lower.contains("perplexity") => Aggregation::Perplexity,
            _ => return Err(unknown()),
        })
    }

    /// What lighteval ≤ 0.10 names a corpus metric's function: its bound `compute` method, so the
    /// metric's registry name is what says which aggregation it is. From lighteval 0.10's
    /// `Metrics` registry; `f1` is left out, as two corpus F1 metrics (macro, micro) share it.
    /// Also how a task without a config is aggregated.
    pub fn by_metric_name(metric: &str) -> Option<Aggregation> {
        Some(match metric {
            "bleu" | "chrf" | "chrf++" | "ter" => Aggregation::Translation(Translation {
                metric: TranslationMetric::parse(metric)?,
                lang: Lang::NONE,
            }),
            "mcc" => Aggregation::Mcc,
            "loglikelihood_f1" => Aggregation::F1 {
                average: None,
                num_classes: 2,
            },
            "mf1" => Aggregation::F1 {
                average: None,
                num_classes: 3,
            },
            "ppl" => Aggregation::Perplexity,
            "word_perplexity" | "byte_perplexity" => Aggregation::WeightedPerplexity,
            "bits_per_byte" => Aggregation::BitsPerByte,
            _ => return None,
        })
    }

    /// The aggregation of metric `metric` whose config renders its function as `text`. lighteval
    /// ≤ 0.10 renders a corpus metric's bound method as `compute`, which says nothing; the
    /// metric's registry name then decides.
    pub fn resolve(text: &str, metric: &str) -> Result<Aggregation, AggregationError> {
        match Aggregation::parse(text) {
            Err(AggregationError::Unknown(_))
                if matches!(
                    crate::model::short_function_name(text).as_str(),
                    "compute" | "prepare"
                ) =>
            {
                Aggregation::by_metric_name(metric)
                    .ok_or_else(|| AggregationError::Unknown(format!("{text} (metric `{metric}`)")))
            }
            other => other,
        }
    }

    /// lighteval 0.13's own rendering, written into task configs.
    pub fn render(self) -> String {
        match self {
            Aggregation::Mean => "mean".into(),
            Aggregation::Median => "median".into(),
            Aggregation::Max => "max".into(),
            Aggregation::Min => "min".into(),
            Aggregation::Mcc => "MatthewsCorrCoef()".into(),
            Aggregation::F1 {
                average,
                num_classes,
            } => {
                // lighteval's `__str__` renders each attribute with `str()`: no quotes.
                let average = match average {
                    None => "None",
                    Some(F1Average::Macro) => "macro",
                    Some(F1Average::Micro) => "micro",
                    Some(F1Average::Weighted) => "weighted",
                };
                format!("CorpusLevelF1Score(average={average}, num_classes={num_classes})")
            }
            Aggregation::Perplexity => "perplexity".into(),
            Aggregation::WeightedPerplexity => "weighted_perplexity".into(),
            Aggregation::BitsPerByte => "bits_per_byte".into(),
            Aggregation::Translation(t) => t.render(),
        }
    }

    /// Whether lighteval's stderr for it is `mean_stderr` (its name contains "mean") rather than
    /// the bootstrap.
    pub fn uses_mean_stderr(self) -> bool {
        self == Aggregation::Mean
    }

    /// Reads one sample's stored value as this aggregation's input.
    pub fn input(self, index: usize, value: &Json) -> Result<CorpusInput, AggregationError> {
        let wrong = |expected| AggregationError::WrongShape {
            index,
            aggregation: self.render(),
            expected,
            found: crate::model::pyjson::to_string(
                value,
                crate::model::pyjson::WriteOptions::STRICT_COMPACT,
            ),
        };
        match self {
            Aggregation::Mean | Aggregation::Median | Aggregation::Max | Aggregation::Min => {
                match value {
                    Json::Int(_) | Json::Float(_) | Json::Bool(_) => {
                        Ok(CorpusInput::Number(value.as_f64().unwrap_or(f64::NAN)))
                    }
                    _ => Err(wrong("a number")),
                }
            }
            Aggregation::Mcc | Aggregation::F1 { .. } => {
                let gold = match value.get("golds") {
                    Some(Json::Array(golds)) => golds.first().and_then(Json::as_i64),
                    Some(other) => other.as_i64(),
                    None => None,
                };
                let pred = value.get("preds").and_then(Json::as_i64);
                match (gold, pred) {
                    (Some(gold), Some(pred)) => Ok(CorpusInput::Label { gold, pred }),
                    _ => Err(wrong("{\"golds\": [int], \"preds\": int}")),
                }
            }
            Aggregation::Perplexity
            | Aggregation::WeightedPerplexity
            | Aggregation::BitsPerByte => {
                let logprob = value.get("logprobs").and_then(Json::as_f64);
                let weight = value.get("weights").and_then(Json::as_f64);
                match (logprob, weight) {
                    (Some(logprob), Some(weight)) => Ok(CorpusInput::LogProb { logprob, weight }),
                    (Some(logprob), None) if self == Aggregation::Perplexity => {
                        Ok(CorpusInput::LogProb {
                            logprob,
                            weight: 1.0,
                        })
                    }
                    _ => Err(wrong("{\"logprobs\": number, \"weights\": number}")),
                }
            }
            Aggregation::Translation(_) => {
                const EXPECTED: &str = "{\"golds\": [string, …], \"preds\": [string, …]}";
                // lighteval's `as_list(preds)[0]`: a bare string is one prediction.
                let prediction = match value.get("preds") {
                    Some(Json::Str(p)) => Some(p.clone()),
                    Some(Json::Array(preds)) => {
                        preds.first().and_then(Json::as_str).map(str::to_owned)
                    }
                    _ => None,
                };
                let golds: Option<Vec<String>> = match value.get("golds") {
                    Some(Json::Array(golds)) if !golds.is_empty() => golds
                        .iter()
                        .map(|g| g.as_str().map(str::to_owned))
                        .collect(),
                    _ => None,
                };
                match (prediction, golds) {
                    (Some(prediction), Some(golds)) => {
                        Ok(CorpusInput::Text(Arc::new(TranslationSample {
                            prediction,
                            golds,
                        })))
                    }
                    _ => Err(wrong(EXPECTED)),
                }
            }
        }
    }

    /// The aggregate of `inputs[i]` for each `i` in `indices` (a bootstrap resample, or all).
    pub fn compute(self, inputs: &[CorpusInput], indices: &[usize]) -> f64 {
        let numbers = || indices.iter().map(|&i| number(&inputs[i]));
        match self {
            Aggregation::Mean => numbers().sum::<f64>() / indices.len() as f64,
            Aggregation::Median => super::median(&numbers().collect::<Vec<_>>()),
            Aggregation::Max => python_extreme(numbers(), |x, best| x > best),
            Aggregation::Min => python_extreme(numbers(), |x, best| x < best),
            Aggregation::Mcc => mcc(indices.iter().map(|&i| label(&inputs[i]))),
            Aggregation::F1 {
                average,
                num_classes,
            } => {
                let pairs: Vec<(i64, i64)> = indices.iter().map(|&i| label(&inputs[i])).collect();
                if num_classes == 2 {
                    // lighteval: np.max(f1_score(golds, preds, average=average)).
                    f1_scores(&pairs, average)
                        .into_iter()
                        .fold(f64::NEG_INFINITY, f64::max)
                } else {
                    // lighteval: mean over classes of a one-vs-rest F1 on booleans.
                    let per_class: Vec<f64> = (0..i64::from(num_classes))
                        .map(|class| {
                            let binary: Vec<(i64, i64)> = pairs
                                .iter()
                                .map(|&(g, p)| (i64::from(g == class), i64::from(p == class)))
                                .collect();
                            let scores = f1_scores(&binary, average);
                            scores.iter().sum::<f64>() / scores.len() as f64
                        })
                        .collect();
                    super::mean(&per_class)
                }
            }
            Aggregation::Perplexity => {
                let logprobs: Vec<f64> = indices.iter().map(|&i| logprob(&inputs[i]).0).collect();
                (-super::mean(&logprobs)).exp()
            }
            Aggregation::WeightedPerplexity | Aggregation::BitsPerByte => {
                let (sum_lp, sum_w) = indices
                    .iter()
                    .map(|&i| logprob(&inputs[i]))
                    .fold((0.0, 0.0), |(a, b), (lp, w)| (a + lp, b + w));
                if self == Aggregation::WeightedPerplexity {
                    (-sum_lp / sum_w).exp()
                } else {
                    -sum_lp / sum_w / std::f64::consts::LN_2
                }
            }
            Aggregation::Translation(t) => t
                .score(&texts(inputs), indices, ReferenceLayout::Lighteval)
                .unwrap_or(f64::NAN),
        }
    }

    /// The aggregate on each of `resamples`, as [`Aggregation::compute`] gives it; translation
    /// metrics from segment statistics prepared once.
    pub fn replicates(self, inputs: &[CorpusInput], resamples: &[Vec<usize>]) -> Vec<f64> {
        match self {
            Aggregation::Translation(t) => t
                .replicates(&texts(inputs), resamples, ReferenceLayout::Lighteval)
                .unwrap_or_else(|_| vec![f64::NAN; resamples.len()]),
            _ => resamples
                .iter()
                .map(|idx| self.compute(inputs, idx))
                .collect(),
        }
    }

    /// For a translation metric whose two reference layouts differ on these inputs: the corpus
    /// score with each prediction against its own golds, and its standard error (evaldeck's
    /// correction, never written into lighteval's fields).
    pub fn corrected(
        self,
        inputs: &[CorpusInput],
        iters: usize,
        convention: super::StderrConvention,
    ) -> Option<(f64, f64)> {
        let Aggregation::Translation(t) = self else {
            return None;
        };
        let samples = texts(inputs);
        if !t.layouts_differ(&samples) {
            return None;
        }
        let all: Vec<usize> = (0..samples.len()).collect();
        let value = t.score(&samples, &all, ReferenceLayout::Corpus).ok()?;
        let stderr = if iters > 0 && samples.len() > 1 {
            t.stderr(&samples, iters, convention, ReferenceLayout::Corpus)
                .unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        Some((value, stderr))
    }
}

/// Python's `max` / `min` of a list: the first value, replaced by each later one that compares
/// better (so a NaN stays only where it comes first, as in Python).
fn python_extreme(values: impl Iterator<Item = f64>, better: impl Fn(f64, f64) -> bool) -> f64 {
    values
        .fold(None, |best: Option<f64>, x| match best {
            Some(b) if !better(x, b) => Some(b),
            _ => Some(x),
        })
        .unwrap_or(f64::NAN)
}

fn texts(inputs: &[CorpusInput]) -> Vec<Arc<TranslationSample>> {
    inputs
        .iter()
        .map(|input| match input {
            CorpusInput::Text(sample) => Arc::clone(sample),
            _ => Arc::new(TranslationSample {
                prediction: String::new(),
                golds: Vec::new(),
            }),
        })
        .collect()
}

impl Aggregation {
    /// The standard error lighteval writes for this aggregation of `inputs`: `mean_stderr` for a
    /// mean, the bootstrap otherwise (same resamples as lighteval). Classification metrics are
    /// bootstrapped from label counts, translation metrics from segment statistics, without
    /// re-running the metric on each resample.
    pub fn stderr(
        self,
        inputs: &[CorpusInput],
        iters: usize,
        convention: super::StderrConvention,
    ) -> f64 {
        match self {
            Aggregation::Mean => super::mean_stderr(&inputs.iter().map(number).collect::<Vec<_>>()),
            Aggregation::Mcc | Aggregation::F1 { .. } => {
                let mut counts = LabelCounts::new(inputs);
                super::bootstrap_stderr_folded(
                    inputs.len(),
                    iters,
                    convention,
                    &mut counts,
                    LabelCounts::reset,
                    LabelCounts::add,
                    |c| {
                        c.derive();
                        c.finish(self)
                    },
                )
            }
            Aggregation::Translation(t) => t
                .stderr(
                    &texts(inputs),
                    iters,
                    convention,
                    ReferenceLayout::Lighteval,
                )
                .unwrap_or(f64::NAN),
            _ => super::bootstrap_stderr(inputs.len(), iters, convention, |idx| {
                self.compute(inputs, idx)
            }),
        }
    }
}

fn number(input: &CorpusInput) -> f64 {
    match *input {
        CorpusInput::Number(x) => x,
        _ => f64::NAN,
    }
}

pub(super) fn label(input: &CorpusInput) -> (i64, i64) {
    match *input {
        CorpusInput::Label { gold, pred } => (gold, pred),
        _ => (i64::MIN, i64::MIN),
    }
}

fn logprob(input: &CorpusInput) -> (f64, f64) {
    match *input {
        CorpusInput::LogProb { logprob, weight } => (logprob, weight),
        _ => (f64::NAN, f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(i64, i64)]) -> Vec<CorpusInput> {
        pairs
            .iter()
            .map(|&(gold, pred)| CorpusInput::Label { gold, pred })
            .collect()
    }

    fn all(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    #[test]
    fn parses_lighteval_renderings() {
        assert_eq!(Aggregation::parse("mean").unwrap(), Aggregation::Mean);
        assert_eq!(
            Aggregation::parse("<function mean at 0x7f>").unwrap(),
            Aggregation::Mean
        );
        assert_eq!(
            Aggregation::parse("MatthewsCorrCoef()").unwrap(),
            Aggregation::Mcc
        );
        assert_eq!(
            Aggregation::parse("CorpusLevelF1Score(average=None, num_classes=2)").unwrap(),
            Aggregation::F1 {
                average: None,
                num_classes: 2
            }
        );
        assert_eq!(
            Aggregation::parse("CorpusLevelF1Score(average='macro', num_classes=3)").unwrap(),
            Aggregation::F1 {
                average: Some(F1Average::Macro),
                num_classes: 3
            }
        );
        assert!(Aggregation::parse("CorpusLevelTranslationMetric(metric_type='meteor')").is_err());
        for a in [
            Aggregation::Mcc,
            Aggregation::F1 {
                average: Some(F1Average::Weighted),
                num_classes: 2,
            },
        ] {
            assert_eq!(Aggregation::parse(&a.render()).unwrap(), a);
        }
    }

    /// Every `corpus_level_fn` of lighteval 0.13.0's metric registry (`lighteval/metrics/
    /// metrics.py`), as its `EnhancedJSONEncoder` writes them into `config_tasks`: functions by
    /// `__name__` (`np.mean` → `mean`, the builtins `max` and `min`, alone or in per-name
    /// mappings), `CorpusLevelComputation`s by their `__str__`.
    #[test]
    fn every_aggregation_of_lighteval_0_13_s_registry_parses() {
        let translation = |metric, lang: &str| {
            Aggregation::Translation(Translation {
                metric,
                lang: Lang::new(lang).unwrap(),
            })
        };
        let f1 = |average, num_classes| Aggregation::F1 {
            average,
            num_classes,
        };
        let registry = [
            ("mean", Aggregation::Mean),
            ("max", Aggregation::Max),
            ("min", Aggregation::Min),
            ("MatthewsCorrCoef()", Aggregation::Mcc),
            (
                "CorpusLevelF1Score(average=None, num_classes=2)",
                f1(None, 2),
            ),
            (
                "CorpusLevelF1Score(average=macro, num_classes=2)",
                f1(Some(F1Average::Macro), 2),
            ),
            (
                "CorpusLevelF1Score(average=micro, num_classes=2)",
                f1(Some(F1Average::Micro), 2),
            ),
            (
                "CorpusLevelF1Score(average=micro, num_classes=3)",
                f1(Some(F1Average::Micro), 3),
            ),
            (
                "CorpusLevelPerplexityMetric(metric_type=perplexity)",
                Aggregation::Perplexity,
            ),
            (
                "CorpusLevelPerplexityMetric(metric_type=weighted_perplexity)",
                Aggregation::WeightedPerplexity,
            ),
            (
                "CorpusLevelPerplexityMetric(metric_type=bits_per_byte)",
                Aggregation::BitsPerByte,
            ),
            (
                "CorpusLevelTranslationMetric(metric_type=bleu, lang=)",
                translation(TranslationMetric::Bleu, ""),
            ),
            (
                "CorpusLevelTranslationMetric(metric_type=chrf, lang=)",
                translation(TranslationMetric::Chrf, ""),
            ),
            (
                "CorpusLevelTranslationMetric(metric_type=chrf++, lang=)",
                translation(TranslationMetric::ChrfPlusPlus, ""),
            ),
            (
                "CorpusLevelTranslationMetric(metric_type=ter, lang=)",
                translation(TranslationMetric::Ter, ""),
            ),
        ];
        for (text, expected) in registry {
            assert_eq!(Aggregation::parse(text), Ok(expected), "{text}");
            // What evaldeck writes is what lighteval writes.
            if !text.starts_with("CorpusLevelPerplexityMetric") {
                assert_eq!(expected.render(), text);
            }
        }
        // Languages lighteval's multilingual tasks pass: Chinese has its tokenizer; Japanese and
        // Korean need MeCab, which evaldeck does not have, and say so.
        assert_eq!(
            Aggregation::parse("CorpusLevelTranslationMetric(metric_type=bleu, lang=zh)"),
            Ok(translation(TranslationMetric::Bleu, "zh"))
        );
        for (lang, tokenizer) in [("ja", "ja-mecab"), ("ko", "ko-mecab")] {
            let err = Aggregation::parse(&format!(
                "CorpusLevelTranslationMetric(metric_type=bleu, lang={lang})"
            ))
            .unwrap_err()
            .to_string();
            assert!(err.contains(tokenizer), "{err}");
        }
        // chrF and TER do not tokenize by language.
        assert!(
            Aggregation::parse("CorpusLevelTranslationMetric(metric_type=ter, lang=ja)").is_ok()
        );
        // lighteval ≤ 0.10 renders a corpus metric's bound method as `compute`: the name decides.
        assert_eq!(
            Aggregation::resolve("compute", "chrf"),
            Ok(translation(TranslationMetric::Chrf, ""))
        );
        assert_eq!(Aggregation::resolve("compute", "mf1"), Ok(f1(None, 3)));
        assert!(
            Aggregation::resolve("compute", "f1").is_err(),
            "macro or micro: ambiguous"
        );
        assert!(Aggregation::resolve("MyCorpusMetric()", "chrf").is_err());
    }

    #[test]
    fn max_and_min_follow_python_with_nan() {
        let numbers = |v: &[f64]| {
            v.iter()
                .map(|&x| CorpusInput::Number(x))
                .collect::<Vec<_>>()
        };
        let values = numbers(&[3.0, f64::NAN, 7.0, 1.0]);
        assert_eq!(Aggregation::Max.compute(&values, &all(4)), 7.0);
        assert_eq!(Aggregation::Min.compute(&values, &all(4)), 1.0);
        // A NaN first stays: nothing compares greater than it.
        let values = numbers(&[f64::NAN, 7.0]);
        assert!(Aggregation::Max.compute(&values, &all(2)).is_nan());
    }

    // Reference values from scikit-learn 1.x.
    #[test]
    fn mcc_and_f1_match_sklearn() {
        let pairs = [(0, 0), (0, 1), (1, 1), (1, 1), (1, 0), (0, 0), (1, 1)];
        let inputs = labels(&pairs);
        // matthews_corrcoef([0,0,1,1,1,0,1], [0,1,1,1,0,0,1]) = 0.41666666666666669
        assert!((Aggregation::Mcc.compute(&inputs, &all(7)) - 0.4166666666666667).abs() < 1e-15);
        // f1_score(..., average=None) = [0.66666667, 0.75]; lighteval takes the max.
        let f1 = Aggregation::F1 {
            average: None,
            num_classes: 2,
        };
        assert_eq!(f1.compute(&inputs, &all(7)), 0.75);
        let macro_f1 = Aggregation::F1 {
            average: Some(F1Average::Macro),
            num_classes: 2,
        };
        assert!((macro_f1.compute(&inputs, &all(7)) - (2.0 / 3.0 + 0.75) / 2.0).abs() < 1e-15);
        // One class only: sklearn returns 0 for MCC.
        assert_eq!(
            Aggregation::Mcc.compute(&labels(&[(1, 1), (1, 1)]), &all(2)),
            0.0
        );
    }

    #[test]
    fn folded_bootstrap_equals_the_direct_one_bit_for_bit() {
        use crate::stats::{StderrConvention, bootstrap_stderr};
        for classes in [2i64, 3, 5] {
            let inputs: Vec<CorpusInput> = (0..257i64)
                .map(|i| CorpusInput::Label {
                    gold: (i * 7 + i / 3) % classes,
                    pred: (i * 5 + i / 11) % classes,
                })
                .collect();
            let mut aggregations = vec![Aggregation::Mcc];
            for average in [
                None,
                Some(F1Average::Macro),
                Some(F1Average::Micro),
                Some(F1Average::Weighted),
            ] {
                if classes == 2 || average.is_some() {
                    aggregations.push(Aggregation::F1 {
                        average,
                        num_classes: classes as u32,
                    });
                }
            }
            for aggregation in aggregations {
                let direct =
                    bootstrap_stderr(inputs.len(), 200, StderrConvention::Lighteval, |idx| {
                        aggregation.compute(&inputs, idx)
                    });
                let folded = aggregation.stderr(&inputs, 200, StderrConvention::Lighteval);
                assert_eq!(
                    direct.to_bits(),
                    folded.to_bits(),
                    "{aggregation:?} with {classes} classes"
                );
            }
        }
    }

    #[test]
    fn perplexities() {
        let inputs = [
            CorpusInput::LogProb {
                logprob: -2.0,
                weight: 4.0,
            },
            CorpusInput::LogProb {
                logprob: -6.0,
                weight: 4.0,
            },
        ];
        assert!(
            (Aggregation::WeightedPerplexity.compute(&inputs, &all(2)) - 1f64.exp()).abs() < 1e-15
        );
        assert!((Aggregation::Perplexity.compute(&inputs, &all(2)) - 4f64.exp()).abs() < 1e-12);
        assert!(
            (Aggregation::BitsPerByte.compute(&inputs, &all(2)) - 1.0 / std::f64::consts::LN_2)
                .abs()
                < 1e-15
        );
    }

    #[test]
    fn wrong_shapes_are_errors() {
        let err = Aggregation::Mcc
            .input(3, &Json::Float(1.0))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sample 3") && err.contains("golds"), "{err}");
        assert!(Aggregation::Mean.input(0, &Json::Str("x".into())).is_err());
    }
}
