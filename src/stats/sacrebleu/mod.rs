//! sacrebleu 2.x's corpus metrics — BLEU, chrF / chrF++ and TER — computed as sacrebleu computes
//! them, operation for operation, so the numbers agree with sacrebleu's to the last bits that
//! float summation order allows (the interop tests hold them to 1e-9).
//!
//! Each metric turns a hypothesis and its references into segment statistics; a corpus score is
//! the metric's formula over the statistics summed across segments. [`corpus_score`] takes
//! sacrebleu's own argument shapes: hypotheses, and reference *streams* (stream `j` holds the
//! `j`-th reference of every segment).

mod bleu;
mod chrf;
mod ter;
pub mod tokenize;

pub use bleu::{Bleu, BleuTokenizer};
pub use chrf::{Chrf, ChrfIndex, ChrfNgrams};
pub use ter::{Ter, translation_edit_rate};

/// Segment statistics (counts, lengths). sacrebleu keeps them as Python ints and floats; all the
/// integers here stay far below 2^53, so f64 holds them exactly.
pub type Stats = Vec<f64>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SacrebleuError {
    #[error("no hypotheses")]
    NoHypotheses,
    #[error("segment {0} has no reference")]
    NoReference(usize),
    #[error(
        "the `{tokenizer}` tokenizer (MeCab, for `{lang}`) is not available in evaldeck: no Rust \
         morphological analyser is known to segment as sacrebleu's MeCab does"
    )]
    UnsupportedTokenizer {
        tokenizer: &'static str,
        lang: String,
    },
}

/// A sacrebleu metric, split into the steps that a bootstrap can reuse: each text is prepared
/// once, each (hypothesis, references) segment gives statistics, and sums of statistics give a
/// score.
pub trait SentenceMetric: Sync {
    type Hyp: Send + Sync;
    type Ref: Send + Sync;
    fn hypothesis(&self, text: &str) -> Self::Hyp;
    fn reference(&self, text: &str) -> Self::Ref;
    /// The statistics of one segment against its references (at least one), as sacrebleu's
    /// `_compute_segment_statistics` picks them.
    fn segment(&self, hyp: &Self::Hyp, refs: &[&Self::Ref]) -> Stats;
    /// The score from statistics summed over segments.
    fn score(&self, totals: &[f64]) -> f64;
}

/// sacrebleu's `sum_of_lists`: element-wise sums, in segment order.
pub fn sum_stats<'a>(stats: impl IntoIterator<Item = &'a Stats>) -> Stats {
    let mut total: Stats = Vec::new();
    for segment in stats {
        if total.is_empty() {
            total = vec![0.0; segment.len()];
        }
        for (t, s) in total.iter_mut().zip(segment) {
            *t += s;
        }
    }
    total
}

/// The statistics of segment `j`: `hypothesis` against the `j`-th entry of every stream that has
/// one (sacrebleu drops `None` references).
pub fn segment_stats<M: SentenceMetric>(
    metric: &M,
    hypothesis: &str,
    streams: &[Vec<Option<&str>>],
    j: usize,
) -> Result<Stats, SacrebleuError> {
    let refs: Vec<M::Ref> = streams
        .iter()
        .filter_map(|stream| stream[j])
        .map(|text| metric.reference(text))
        .collect();
    if refs.is_empty() {
        return Err(SacrebleuError::NoReference(j));
    }
    let refs: Vec<&M::Ref> = refs.iter().collect();
    Ok(metric.segment(&metric.hypothesis(hypothesis), &refs))
}

/// `metric.corpus_score(hypotheses, references)` with sacrebleu's semantics: segment `j` pairs
/// hypothesis `j` with the `j`-th entry of every stream (`None` entries dropped), and there are
/// as many segments as the shortest of the hypotheses and the streams (Python's `zip`).
pub fn corpus_score<M: SentenceMetric>(
    metric: &M,
    hypotheses: &[&str],
    streams: &[Vec<Option<&str>>],
) -> Result<f64, SacrebleuError> {
    if hypotheses.is_empty() {
        return Err(SacrebleuError::NoHypotheses);
    }
    let segments = streams
        .iter()
        .map(Vec::len)
        .chain([hypotheses.len()])
        .min()
        .unwrap_or(0);
    let mut stats = Vec::with_capacity(segments);
    for (j, hyp) in hypotheses.iter().take(segments).enumerate() {
        stats.push(segment_stats(metric, hyp, streams, j)?);
    }
    if stats.is_empty() {
        return Err(SacrebleuError::NoReference(0));
    }
    Ok(metric.score(&sum_stats(&stats)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_stream<'a>(refs: &[&'a str]) -> Vec<Vec<Option<&'a str>>> {
        vec![refs.iter().map(|r| Some(*r)).collect()]
    }

    #[test]
    fn perfect_translations_score_perfectly() {
        let text = [
            "The cat sat on the mat.",
            "A quick brown fox jumps over it.",
        ];
        let streams = one_stream(&text);
        let bleu = Bleu::new("").unwrap();
        assert!((corpus_score(&bleu, &text, &streams).unwrap() - 100.0).abs() < 1e-12);
        assert!((corpus_score(&Chrf::new(0), &text, &streams).unwrap() - 100.0).abs() < 1e-12);
        assert!((corpus_score(&Chrf::new(2), &text, &streams).unwrap() - 100.0).abs() < 1e-12);
        assert_eq!(corpus_score(&Ter, &text, &streams).unwrap(), 0.0);
    }

    #[test]
    fn segments_follow_python_zip() {
        // Two streams of one entry each: one segment, hypothesis 0 against both references.
        let streams = vec![vec![Some("a b c")], vec![Some("x y z")]];
        let one = corpus_score(&Ter, &["x y z", "a b c"], &streams).unwrap();
        assert_eq!(one, 0.0);
        assert_eq!(
            corpus_score(&Ter, &[], &streams),
            Err(SacrebleuError::NoHypotheses)
        );
        assert_eq!(
            corpus_score(&Ter, &["a"], &[vec![None]]),
            Err(SacrebleuError::NoReference(0))
        );
    }
}
