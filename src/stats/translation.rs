//! lighteval's `CorpusLevelTranslationMetric`: sacrebleu's BLEU, chrF, chrF++ and TER over a
//! task's samples, called the way lighteval calls them, and the textbook corpus score beside it.
//!
//! lighteval keeps each sample's first prediction. BLEU gets one reference stream of every
//! sample's first gold, which is the textbook corpus BLEU. chrF and TER get `golds` as it is, one
//! list per sample, and sacrebleu reads that as reference *streams*: segment `j` is hypothesis
//! `j` against the `j`-th gold of every sample, and there are as many segments as the fewest
//! golds of any sample. With one gold per sample, lighteval's chrF and TER score the first
//! prediction alone against every sample's gold. [`ReferenceLayout::Lighteval`] reproduces that,
//! so the files stay equal; [`ReferenceLayout::Corpus`] is each prediction against its own golds.

use std::collections::HashMap;
use std::sync::Arc;

use super::sacrebleu::{
    self, Bleu, Chrf, ChrfIndex, SacrebleuError, SentenceMetric, Stats, Ter, sum_stats,
};
use super::{StderrConvention, bootstrap_resamples, stderr_of_replicates};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TranslationMetric {
    Bleu,
    Chrf,
    ChrfPlusPlus,
    Ter,
}

impl TranslationMetric {
    /// lighteval's `metric_type`.
    pub fn name(self) -> &'static str {
        match self {
            TranslationMetric::Bleu => "bleu",
            TranslationMetric::Chrf => "chrf",
            TranslationMetric::ChrfPlusPlus => "chrf++",
            TranslationMetric::Ter => "ter",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "bleu" => TranslationMetric::Bleu,
            "chrf" => TranslationMetric::Chrf,
            "chrf++" => TranslationMetric::ChrfPlusPlus,
            "ter" => TranslationMetric::Ter,
            _ => return None,
        })
    }
}

/// A target language code as lighteval passes it (`""`, `zh`, `ja`, `ko`, or another code),
/// held inline so that an aggregation stays `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang {
    bytes: [u8; Lang::MAX],
    len: u8,
}

impl Lang {
    const MAX: usize = 15;
    pub const NONE: Lang = Lang {
        bytes: [0; Lang::MAX],
        len: 0,
    };

    /// `None` for a code longer than 15 bytes (no language code is).
    pub fn new(code: &str) -> Option<Lang> {
        (code.len() <= Lang::MAX).then(|| {
            let mut bytes = [0; Lang::MAX];
            bytes[..code.len()].copy_from_slice(code.as_bytes());
            Lang {
                bytes,
                len: code.len() as u8,
            }
        })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("built from a str")
    }
}

impl std::fmt::Debug for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// How the references reach sacrebleu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceLayout {
    /// As lighteval passes them: see the module's documentation.
    Lighteval,
    /// Each prediction against its own golds: the corpus score sacrebleu's authors intend.
    Corpus,
}

/// One sample's input: its first prediction and its golds (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct TranslationSample {
    pub prediction: String,
    pub golds: Vec<String>,
}

/// A translation aggregation, ready to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Translation {
    pub metric: TranslationMetric,
    pub lang: Lang,
}

enum Scorer {
    Bleu(Bleu),
    Chrf(Chrf),
    Ter(Ter),
}

impl Translation {
    /// Checks that the metric can be computed for `lang` (BLEU for `ja` / `ko` needs MeCab).
    pub fn new(metric: TranslationMetric, lang: Lang) -> Result<Translation, SacrebleuError> {
        let translation = Translation { metric, lang };
        translation.scorer()?;
        Ok(translation)
    }

    fn scorer(&self) -> Result<Scorer, SacrebleuError> {
        Ok(match self.metric {
            TranslationMetric::Bleu => Scorer::Bleu(Bleu::new(self.lang.as_str())?),
            TranslationMetric::Chrf => Scorer::Chrf(Chrf::new(0)),
            TranslationMetric::ChrfPlusPlus => Scorer::Chrf(Chrf::new(2)),
            TranslationMetric::Ter => Scorer::Ter(Ter),
        })
    }

    /// lighteval's rendering: `CorpusLevelTranslationMetric(metric_type=chrf, lang=)`.
    pub fn render(&self) -> String {
        format!(
            "CorpusLevelTranslationMetric(metric_type={}, lang={})",
            self.metric.name(),
            self.lang.as_str()
        )
    }

    /// Whether the two layouts can give different numbers for these samples: always for chrF
    /// and TER over more than one sample, for BLEU only when a sample has several golds.
    pub fn layouts_differ(&self, samples: &[Arc<TranslationSample>]) -> bool {
        match self.metric {
            TranslationMetric::Bleu => samples.iter().any(|s| s.golds.len() > 1),
            _ => samples.len() > 1,
        }
    }

    /// The score of the samples at `indices` (a bootstrap resample, or all of them).
    pub fn score(
        &self,
        samples: &[Arc<TranslationSample>],
        indices: &[usize],
        layout: ReferenceLayout,
    ) -> Result<f64, SacrebleuError> {
        let predictions: Vec<&str> = indices
            .iter()
            .map(|&i| samples[i].prediction.as_str())
            .collect();
        let streams = self.streams(samples, indices, layout);
        match self.scorer()? {
            Scorer::Bleu(m) => sacrebleu::corpus_score(&m, &predictions, &streams),
            Scorer::Chrf(m) => sacrebleu::corpus_score(&m, &predictions, &streams),
            Scorer::Ter(m) => sacrebleu::corpus_score(&m, &predictions, &streams),
        }
    }

    /// The reference streams sacrebleu receives.
    fn streams<'s>(
        &self,
        samples: &'s [Arc<TranslationSample>],
        indices: &[usize],
        layout: ReferenceLayout,
    ) -> Vec<Vec<Option<&'s str>>> {
        // A sample with fewer golds than the longest has `None` there, as sacrebleu allows.
        let gold = |i: usize, j: usize| samples[i].golds.get(j).map(String::as_str);
        match (layout, self.metric) {
            (ReferenceLayout::Lighteval, TranslationMetric::Bleu) => {
                vec![indices.iter().map(|&i| gold(i, 0)).collect()]
            }
            (ReferenceLayout::Lighteval, _) => indices
                .iter()
                .map(|&i| samples[i].golds.iter().map(|g| Some(g.as_str())).collect())
                .collect(),
            (ReferenceLayout::Corpus, _) => {
                let most = indices
                    .iter()
                    .map(|&i| samples[i].golds.len())
                    .max()
                    .unwrap_or(0);
                (0..most)
                    .map(|j| indices.iter().map(|&i| gold(i, j)).collect())
                    .collect()
            }
        }
    }

    /// The standard error of [`Translation::score`] by lighteval's bootstrap (the same resamples),
    /// computed from statistics prepared once rather than by re-running sacrebleu per resample.
    pub fn stderr(
        &self,
        samples: &[Arc<TranslationSample>],
        iters: usize,
        convention: StderrConvention,
        layout: ReferenceLayout,
    ) -> Result<f64, SacrebleuError> {
        let resamples = bootstrap_resamples(samples.len(), iters);
        if resamples.is_empty() {
            return Ok(f64::NAN);
        }
        let replicates = self.replicates(samples, &resamples, layout)?;
        Ok(stderr_of_replicates(&replicates, convention))
    }

    /// [`Translation::score`] on each resample, equal to scoring each one directly.
    pub fn replicates(
        &self,
        samples: &[Arc<TranslationSample>],
        resamples: &[Vec<usize>],
        layout: ReferenceLayout,
    ) -> Result<Vec<f64>, SacrebleuError> {
        let per_segment =
            matches!(layout, ReferenceLayout::Corpus) || self.metric == TranslationMetric::Bleu;
        match self.scorer()? {
            Scorer::Bleu(m) if per_segment => self.by_segment(&m, samples, resamples, layout),
            Scorer::Chrf(m) if per_segment => self.by_segment(&m, samples, resamples, layout),
            Scorer::Ter(m) if per_segment => self.by_segment(&m, samples, resamples, layout),
            Scorer::Chrf(m) => lighteval_layout_chrf(&m, samples, resamples),
            Scorer::Ter(_) => lighteval_layout_ter(samples, resamples),
            Scorer::Bleu(_) => unreachable!("BLEU is scored per segment"),
        }
    }

    /// Replicates where every sample is its own segment: each sample's statistics once, then
    /// per resample their sum in the resample's order.
    fn by_segment<M: SentenceMetric>(
        &self,
        metric: &M,
        samples: &[Arc<TranslationSample>],
        resamples: &[Vec<usize>],
        layout: ReferenceLayout,
    ) -> Result<Vec<f64>, SacrebleuError> {
        let all: Vec<usize> = (0..samples.len()).collect();
        let streams = self.streams(samples, &all, layout);
        let stats: Vec<Stats> = super::parallel_map(&all, |&i| {
            sacrebleu::segment_stats(metric, &samples[i].prediction, &streams, i)
        })
        .into_iter()
        .collect::<Result<_, _>>()?;
        Ok(resamples
            .iter()
            .map(|indices| metric.score(&sum_stats(indices.iter().map(|&i| &stats[i]))))
            .collect())
    }
}

/// The segments of one resample under lighteval's layout: `(slot j, hypothesis sample)` for
/// `j` below the fewest golds in the resample.
fn lighteval_segments(
    samples: &[Arc<TranslationSample>],
    indices: &[usize],
) -> impl Iterator<Item = (usize, usize)> {
    let slots = indices
        .iter()
        .map(|&i| samples[i].golds.len())
        .min()
        .unwrap_or(0)
        .min(indices.len());
    (0..slots).map(move |j| (j, indices[j]))
}

/// A segment of lighteval's layout, `(slot, hypothesis sample)`, and the resamples that need it.
type SegmentWork = ((usize, usize), Vec<usize>);

/// Resamples grouped by the segments they need, so each (slot, hypothesis) row of statistics is
/// built once.
fn segment_work(
    samples: &[Arc<TranslationSample>],
    resamples: &[Vec<usize>],
) -> Result<Vec<SegmentWork>, SacrebleuError> {
    let mut work: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (r, indices) in resamples.iter().enumerate() {
        let mut any = false;
        for key in lighteval_segments(samples, indices) {
            work.entry(key).or_default().push(r);
            any = true;
        }
        if !any {
            return Err(SacrebleuError::NoReference(0));
        }
    }
    let mut work: Vec<_> = work.into_iter().collect();
    work.sort_unstable_by_key(|(key, _)| *key);
    Ok(work)
}

/// Each work item's statistics of the segments it found, `((resample, slot), stats)`.
type FoundSegments = Vec<Result<Vec<((usize, usize), Stats)>, SacrebleuError>>;

/// Sums each resample's segment statistics in slot order and scores them.
fn score_segments(
    resamples: &[Vec<usize>],
    found: FoundSegments,
    score: impl Fn(&[f64]) -> f64,
    samples: &[Arc<TranslationSample>],
) -> Result<Vec<f64>, SacrebleuError> {
    let mut segment_stats = HashMap::new();
    for part in found {
        segment_stats.extend(part?);
    }
    Ok(resamples
        .iter()
        .enumerate()
        .map(|(r, indices)| {
            let slots: Vec<&Stats> = lighteval_segments(samples, indices)
                .map(|(j, _)| &segment_stats[&(r, j)])
                .collect();
            score(&sum_stats(slots))
        })
        .collect())
}

/// chrF under lighteval's layout. A segment's statistics are those of the best reference among
/// the resample's golds of its slot (the first of equals, in resample order); the statistics of
/// a hypothesis against every gold of a slot come from an inverted index in one pass.
fn lighteval_layout_chrf(
    chrf: &Chrf,
    samples: &[Arc<TranslationSample>],
    resamples: &[Vec<usize>],
) -> Result<Vec<f64>, SacrebleuError> {
    let work = segment_work(samples, resamples)?;
    let slots = work.iter().map(|((j, _), _)| j + 1).max().unwrap_or(0);
    let indexes: Vec<ChrfIndex> = (0..slots)
        .map(|j| {
            let refs: Vec<Option<&str>> = samples
                .iter()
                .map(|s| s.golds.get(j).map(String::as_str))
                .collect();
            ChrfIndex::new(chrf, &refs)
        })
        .collect();
    let found = super::parallel_map(&work, |((j, h), rs)| {
        let row = indexes[*j].row(&samples[*h].prediction);
        let scores: Vec<f64> = row
            .iter()
            .map(|s| s.as_ref().map_or(f64::NAN, |s| chrf.f_score(s)))
            .collect();
        let mut out = Vec::with_capacity(rs.len());
        for &r in rs {
            let mut best: Option<usize> = None;
            for &i in &resamples[r] {
                if row[i].is_some() && best.is_none_or(|b| scores[i] > scores[b]) {
                    best = Some(i);
                }
            }
            let best = best.ok_or(SacrebleuError::NoReference(*j))?;
            out.push(((r, *j), row[best].clone().expect("checked above")));
        }
        Ok(out)
    });
    score_segments(resamples, found, |t| chrf.f_score(t), samples)
}

/// TER under lighteval's layout: per segment, the fewest edits over the resample's golds of
/// its slot, and their mean length (duplicates counted). Edits are computed lazily, in order of
/// a lower bound (the words that cannot be matched), and only while the bound can still win.
fn lighteval_layout_ter(
    samples: &[Arc<TranslationSample>],
    resamples: &[Vec<usize>],
) -> Result<Vec<f64>, SacrebleuError> {
    let ter = Ter;
    let work = segment_work(samples, resamples)?;
    let slots = work.iter().map(|((j, _), _)| j + 1).max().unwrap_or(0);
    let refs: Vec<Vec<Option<Vec<String>>>> = (0..slots)
        .map(|j| {
            samples
                .iter()
                .map(|s| s.golds.get(j).map(|g| ter.words(g)))
                .collect()
        })
        .collect();
    let found = super::parallel_map(&work, |((j, h), rs)| {
        let hyp = ter.words(&samples[*h].prediction);
        let refs = &refs[*j];
        let bounds: Vec<usize> = refs
            .iter()
            .map(|r| r.as_ref().map_or(usize::MAX, |r| unmatched_words(&hyp, r)))
            .collect();
        let mut edits: Vec<Option<usize>> = vec![None; refs.len()];
        let mut out = Vec::with_capacity(rs.len());
        for &r in rs {
            let mut candidates: Vec<usize> = resamples[r]
                .iter()
                .copied()
                .filter(|&i| refs[i].is_some())
                .collect();
            if candidates.is_empty() {
                return Err(SacrebleuError::NoReference(*j));
            }
            let length_sum: usize = candidates
                .iter()
                .map(|&i| refs[i].as_ref().map_or(0, Vec::len))
                .sum();
            let mean_length = length_sum as f64 / candidates.len() as f64;
            candidates.sort_unstable_by_key(|&i| (bounds[i], i));
            candidates.dedup();
            let mut best = usize::MAX;
            for i in candidates {
                if bounds[i] >= best {
                    break;
                }
                let e = *edits[i].get_or_insert_with(|| {
                    sacrebleu::translation_edit_rate(&hyp, refs[i].as_ref().expect("filtered")).0
                });
                best = best.min(e);
            }
            out.push(((r, *j), vec![best as f64, mean_length]));
        }
        Ok(out)
    });
    score_segments(resamples, found, |t| ter.score(t), samples)
}

/// A lower bound on TER's edits: shifts keep the words, and each other edit fixes at most one
/// unmatched word on each side, so at least max(|h|, |r|) − |h ∩ r| edits remain.
fn unmatched_words(hyp: &[String], reference: &[String]) -> usize {
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for w in hyp {
        *counts.entry(w).or_default() += 1;
    }
    let mut common = 0;
    for w in reference {
        if let Some(c) = counts.get_mut(w.as_str())
            && *c > 0
        {
            *c -= 1;
            common += 1;
        }
    }
    hyp.len().max(reference.len()) - common
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(pairs: &[(&str, &[&str])]) -> Vec<Arc<TranslationSample>> {
        pairs
            .iter()
            .map(|(p, g)| {
                Arc::new(TranslationSample {
                    prediction: (*p).into(),
                    golds: g.iter().map(|g| (*g).to_owned()).collect(),
                })
            })
            .collect()
    }

    #[test]
    fn fast_bootstraps_equal_the_direct_one() {
        let data = samples(&[
            ("the cat sat on the mat", &["the cat sat on a mat"]),
            ("a dog ran", &["the dog runs", "a dog ran fast"]),
            ("hello world", &["hello there world"]),
            ("", &["nothing here"]),
            ("on the mat the cat sat", &["the cat sat on the mat"]),
        ]);
        for metric in [
            TranslationMetric::Bleu,
            TranslationMetric::Chrf,
            TranslationMetric::ChrfPlusPlus,
            TranslationMetric::Ter,
        ] {
            let t = Translation::new(metric, Lang::NONE).unwrap();
            for layout in [ReferenceLayout::Lighteval, ReferenceLayout::Corpus] {
                let fast = t
                    .stderr(&data, 200, StderrConvention::Lighteval, layout)
                    .unwrap();
                let direct = super::super::bootstrap_stderr(
                    data.len(),
                    200,
                    StderrConvention::Lighteval,
                    |idx| t.score(&data, idx, layout).unwrap(),
                );
                assert!(
                    (fast - direct).abs() <= 1e-12 * direct.abs().max(1.0),
                    "{metric:?} {layout:?}: {fast} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn lighteval_layout_scores_the_first_prediction_against_every_gold() {
        let data = samples(&[("x y z", &["x y z"]), ("a b c", &["q r s"])]);
        let t = Translation::new(TranslationMetric::Ter, Lang::NONE).unwrap();
        // Segment 0: "x y z" against both golds; its best gold is itself.
        assert_eq!(
            t.score(&data, &[0, 1], ReferenceLayout::Lighteval).unwrap(),
            0.0
        );
        assert!(t.score(&data, &[0, 1], ReferenceLayout::Corpus).unwrap() > 0.0);
    }
}
