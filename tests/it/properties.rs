//! Property tests: the JSON writer and reader are each other's inverse, details survive a save
//! and a load, and tracking is blind to the order samples arrive in.

use evaldeck::model::pyjson;
use evaldeck::model::{Json, Map};
use evaldeck::store;
use evaldeck::tracker::{EvaluationTracker, TaskDeclaration, TrackerOptions};
use proptest::prelude::*;

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1e-300),
        Just(5e-324),
        Just(1.7976931348623157e308),
        Just(-0.0),
        (-1e6..1e6f64),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::Int),
        "[1-9][0-9]{19,30}".prop_map(Json::BigInt),
        float().prop_map(Json::Float),
        ".*".prop_map(Json::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((".{0,8}", inner), 0..6).prop_map(|pairs| {
                let mut map = Map::new();
                for (k, v) in pairs {
                    map.insert(k, v);
                }
                Json::Object(map)
            }),
        ]
    })
}

/// Equality where NaN equals NaN (the writer must keep it, not turn it into something else).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Float(x), Json::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn results_json_write_read_write_is_a_fixed_point(value in json()) {
        let mut root = Map::new();
        root.insert("results".into(), Json::Object(Map::new()));
        root.insert("payload".into(), value);
        let results = evaldeck::model::ResultsFile::from_json(Json::Object(root)).unwrap();
        let text = store::results_to_string(&results);
        let again = store::parse_results(std::path::Path::new("prop.json"), &text).unwrap();
        prop_assert!(same(again.as_json(), results.as_json()));
        prop_assert_eq!(store::results_to_string(&again), text);
    }

    #[test]
    fn details_save_then_load_returns_the_same_rows(
        rows in prop::collection::vec(
            (".{0,40}", prop::collection::vec(".{0,10}", 0..4), 0..4i64, 0..2i64, float(), prop::collection::vec(float(), 0..4)),
            1..20,
        )
    ) {
        let rows: Vec<Map> = rows
            .into_iter()
            .map(|(query, choices, gold, acc, f1, logprobs)| {
                let doc = pyjson::parse(&format!(
                    r#"{{"query": {}, "choices": {}, "gold_index": {gold}}}"#,
                    pyjson::to_string(&Json::Str(query), pyjson::WriteOptions::STRICT_COMPACT),
                    pyjson::to_string(&Json::Array(choices.into_iter().map(Json::Str).collect()), pyjson::WriteOptions::STRICT_COMPACT),
                )).unwrap();
                let mut metric = Map::new();
                metric.insert("acc".into(), Json::Int(acc));
                metric.insert("f1".into(), Json::Float(f1));
                let mut response = Map::new();
                response.insert("logprobs".into(), Json::Array(logprobs.into_iter().map(Json::Float).collect()));
                let mut row = Map::new();
                row.insert("doc".into(), doc);
                row.insert("metric".into(), Json::Object(metric));
                row.insert("model_response".into(), Json::Object(response));
                row
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("details_t|0_2026-01-01T00-00-00.parquet");
        store::write_details(&path, &rows).unwrap();
        let file = store::DetailsFile::open(&path).unwrap();
        let back: Vec<Map> = file.batches(None, 7).unwrap().flat_map(|b| store::rows_of(&b.unwrap())).collect();
        prop_assert_eq!(back.len(), rows.len());
        for (a, b) in back.iter().zip(&rows) {
            prop_assert!(same(&Json::Object(a.clone()), &Json::Object(b.clone())), "{:?} vs {:?}", a, b);
        }
    }

    #[test]
    fn tracking_in_any_order_gives_the_same_hashes_and_aggregates(
        samples in prop::collection::vec((".{0,20}", 0..2i64, 0..2i64, 0..2i64), 2..40),
        seed in any::<u64>(),
    ) {
        let track = |order: &[usize]| {
            let mut tracker = EvaluationTracker::new(TrackerOptions::new("unused")).unwrap();
            tracker.general.log_model_info("m", Map::new());
            tracker.declare_task(TaskDeclaration::new("t|0").with_aggregation("mcc", "MatthewsCorrCoef()").unwrap()).unwrap();
            for &i in order {
                let (query, acc, gold, pred) = &samples[i];
                let mut doc = Map::new();
                doc.insert("query".into(), Json::Str(query.clone()));
                let mut golds_preds = Map::new();
                golds_preds.insert("golds".into(), Json::Array(vec![Json::Int(*gold)]));
                golds_preds.insert("preds".into(), Json::Int(*pred));
                let mut metric = Map::new();
                metric.insert("acc".into(), Json::Int(*acc));
                metric.insert("mcc".into(), Json::Object(golds_preds));
                tracker.log("t|0", doc, Map::new(), metric).unwrap();
            }
            tracker.results().unwrap()
        };
        let forward: Vec<usize> = (0..samples.len()).collect();
        let mut shuffled = forward.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        // A shuffle that left the order as it was would test nothing.
        if shuffled == forward {
            shuffled.reverse();
        }
        let (a, b) = (track(&forward), track(&shuffled));
        prop_assert_eq!(a.task_summary("t|0").unwrap().hashes(), b.task_summary("t|0").unwrap().hashes());
        let row = |r: &evaldeck::model::ResultsFile, key: &str| r.row("t|0").unwrap().values[key].as_f64().unwrap();
        // Values and mean stderrs do not depend on order (up to float summation); the bootstrap
        // stderr does, in lighteval too, since a resample's indices pick other samples.
        for key in ["acc", "acc_stderr", "mcc"] {
            let (x, y) = (row(&a, key), row(&b, key));
            prop_assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0) || (x.is_nan() && y.is_nan()), "{key}: {x} vs {y}");
        }
    }
}

mod translation {
    //! sacrebleu's metrics: a perfect translation scores perfectly, and the corpus score does not
    //! depend on the order of the samples. lighteval's reference layout does, for chrF and TER:
    //! it scores the first sample's prediction alone against every gold, which is pinned here.

    use std::sync::Arc;

    use evaldeck::stats::{
        Lang, ReferenceLayout, Translation, TranslationMetric, TranslationSample,
    };
    use proptest::prelude::*;

    const METRICS: [TranslationMetric; 4] = [
        TranslationMetric::Bleu,
        TranslationMetric::Chrf,
        TranslationMetric::ChrfPlusPlus,
        TranslationMetric::Ter,
    ];

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z]{1,8}",
            "[0-9]{1,4}([.,][0-9]{1,3})?",
            "[.,;:!?()\"'-]",
            "[à-ÿ]{1,4}",
            "[一-龥]{1,3}",
        ]
    }

    fn sentence(words: std::ops::Range<usize>) -> impl Strategy<Value = String> {
        prop::collection::vec(word(), words).prop_map(|w| w.join(" "))
    }

    fn sample(prediction: String, golds: Vec<String>) -> Arc<TranslationSample> {
        Arc::new(TranslationSample { prediction, golds })
    }

    fn score(
        metric: TranslationMetric,
        samples: &[Arc<TranslationSample>],
        layout: ReferenceLayout,
    ) -> f64 {
        let t = Translation::new(metric, Lang::NONE).unwrap();
        let all: Vec<usize> = (0..samples.len()).collect();
        t.score(samples, &all, layout).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn a_perfect_translation_scores_perfectly(
            texts in prop::collection::vec(sentence(4..12), 1..8),
        ) {
            let samples: Vec<_> = texts.iter().map(|t| sample(t.clone(), vec![t.clone()])).collect();
            for layout in [ReferenceLayout::Lighteval, ReferenceLayout::Corpus] {
                for metric in METRICS {
                    let expected = if metric == TranslationMetric::Ter { 0.0 } else { 100.0 };
                    let got = score(metric, &samples, layout);
                    prop_assert!((got - expected).abs() < 1e-9, "{metric:?} {layout:?}: {got}");
                }
            }
        }

        #[test]
        fn the_corpus_score_does_not_depend_on_sample_order(
            pairs in prop::collection::vec((sentence(0..10), prop::collection::vec(sentence(1..10), 1..3)), 2..10),
            rotation in 1usize..10,
        ) {
            let samples: Vec<_> = pairs.iter().map(|(p, g)| sample(p.clone(), g.clone())).collect();
            // Never a rotation by a multiple of the length, which would leave the order as it is.
            let shift = 1 + rotation % (samples.len() - 1);
            let mut rotated = samples.clone();
            rotated.rotate_left(shift);
            for metric in METRICS {
                let (a, b) = (
                    score(metric, &samples, ReferenceLayout::Corpus),
                    score(metric, &rotated, ReferenceLayout::Corpus),
                );
                prop_assert!((a - b).abs() <= 1e-9, "{metric:?}: {a} vs {b}");
            }
            // lighteval's BLEU is a corpus BLEU over each sample's first gold: order-blind too.
            let first_golds: Vec<_> = samples.iter().map(|s| sample(s.prediction.clone(), vec![s.golds[0].clone()])).collect();
            let mut rotated_first = first_golds.clone();
            rotated_first.rotate_left(shift);
            let (a, b) = (
                score(TranslationMetric::Bleu, &first_golds, ReferenceLayout::Lighteval),
                score(TranslationMetric::Bleu, &rotated_first, ReferenceLayout::Lighteval),
            );
            prop_assert!((a - b).abs() <= 1e-9, "lighteval BLEU: {a} vs {b}");
        }

        #[test]
        fn lighteval_s_chrf_and_ter_score_the_first_prediction_against_every_gold(
            pairs in prop::collection::vec((sentence(0..10), sentence(1..10)), 2..10),
        ) {
            let samples: Vec<_> = pairs.iter().map(|(p, g)| sample(p.clone(), vec![g.clone()])).collect();
            // The same score from one sample: the first prediction, every gold as its references.
            let golds: Vec<String> = pairs.iter().map(|(_, g)| g.clone()).collect();
            let pooled = vec![sample(pairs[0].0.clone(), golds)];
            for metric in [TranslationMetric::Chrf, TranslationMetric::ChrfPlusPlus, TranslationMetric::Ter] {
                let lighteval = score(metric, &samples, ReferenceLayout::Lighteval);
                let first_alone = score(metric, &pooled, ReferenceLayout::Corpus);
                prop_assert!((lighteval - first_alone).abs() <= 1e-9, "{metric:?}: {lighteval} vs {first_alone}");
            }
        }
    }
}
