//! Translation metrics at scale (number in the closing note): chrF of 2,000 samples of 30 words
//! with 1,000 bootstrap resamples, as lighteval aggregates it (its reference layout), against
//! lighteval 0.13's own `aggregate` of the same corpus, timed by `benches/lighteval_translation.py`
//! on the file this bench writes. Target: at least 100× faster. `EVALDECK_BENCH_SLOW=1` adds TER
//! under lighteval's layout.

mod support;

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::stats::{
    Lang, ReferenceLayout, StderrConvention, Translation, TranslationMetric, TranslationSample,
};

/// 2,000 samples of 30 words from a 3,000-word vocabulary; each prediction is its gold with about
/// a third of the words replaced. Deterministic.
fn corpus() -> Vec<Arc<TranslationSample>> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let syllables = [
        "ka", "lo", "mi", "ren", "to", "sa", "vel", "qu", "an", "dor", "is", "et",
    ];
    let vocabulary: Vec<String> = (0..3000)
        .map(|i| {
            let len = 1 + i % 3;
            (0..len)
                .map(|k| syllables[(i * 7 + k * 5 + i / 12) % syllables.len()])
                .collect()
        })
        .collect();
    (0..2000)
        .map(|_| {
            let gold: Vec<&str> = (0..30)
                .map(|_| vocabulary[(next() % 3000) as usize].as_str())
                .collect();
            let prediction: Vec<&str> = gold
                .iter()
                .map(|w| {
                    if next() % 3 == 0 {
                        vocabulary[(next() % 3000) as usize].as_str()
                    } else {
                        w
                    }
                })
                .collect();
            Arc::new(TranslationSample {
                prediction: prediction.join(" "),
                golds: vec![gold.join(" ")],
            })
        })
        .collect()
}

/// The corpus as `[[prediction, [gold]], …]`, for the Python side.
fn write_corpus(samples: &[Arc<TranslationSample>]) -> std::path::PathBuf {
    let path = support::data_dir().join("translation-2000x30.json");
    let rows: Vec<serde_json::Value> = samples
        .iter()
        .map(|s| serde_json::json!([s.prediction, s.golds]))
        .collect();
    std::fs::write(&path, serde_json::to_string(&rows).unwrap()).unwrap();
    path
}

fn chrf_bootstrap(c: &mut Criterion) {
    let samples = corpus();
    write_corpus(&samples);
    let all: Vec<usize> = (0..samples.len()).collect();
    let mut group = c.benchmark_group("translation_2000x30_1000_bootstrap");
    group.sample_size(10);
    let cases = [
        (
            "chrf_lighteval_layout",
            TranslationMetric::Chrf,
            ReferenceLayout::Lighteval,
        ),
        (
            "chrf_corpus_layout",
            TranslationMetric::Chrf,
            ReferenceLayout::Corpus,
        ),
        (
            "chrf++_corpus_layout",
            TranslationMetric::ChrfPlusPlus,
            ReferenceLayout::Corpus,
        ),
        ("bleu", TranslationMetric::Bleu, ReferenceLayout::Lighteval),
        (
            "ter_corpus_layout",
            TranslationMetric::Ter,
            ReferenceLayout::Corpus,
        ),
    ];
    // TER under lighteval's layout runs tercom against every gold of each resample: seconds a
    // run, so only on request.
    let slow = std::env::var_os("EVALDECK_BENCH_SLOW").map(|_| {
        (
            "ter_lighteval_layout",
            TranslationMetric::Ter,
            ReferenceLayout::Lighteval,
        )
    });
    for (name, metric, layout) in cases.into_iter().chain(slow) {
        let t = Translation::new(metric, Lang::NONE).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let value = t.score(&samples, &all, layout).unwrap();
                let stderr = t
                    .stderr(&samples, 1000, StderrConvention::Lighteval, layout)
                    .unwrap();
                (value, stderr)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, chrf_bootstrap);
criterion_main!(benches);
