//! Compatibility with files written by the real lighteval (0.13 nested, 0.10 flat) and with the
//! 0.5–0.7 text layout.

use crate::support;

use crate::support::{files_with_suffix, fixture, fixtures};
use evaldeck::model::{Json, Prediction};
use evaldeck::store::{self, DetailsLayout, RunSelector};

#[test]
fn rewriting_every_results_fixture_reproduces_it_byte_for_byte() {
    let files = files_with_suffix(&fixtures(), ".json");
    let results_files: Vec<_> = files
        .iter()
        .filter(|p| {
            store::parse_results_file_name(p.file_name().unwrap().to_str().unwrap()).is_some()
        })
        .collect();
    assert!(
        results_files.len() >= 5,
        "expected the lighteval fixtures, found {results_files:?}"
    );
    for path in results_files {
        let original = std::fs::read_to_string(path).unwrap();
        let results = store::read_results(path).unwrap();
        assert_eq!(
            store::results_to_string(&results),
            original,
            "{}",
            path.display()
        );

        // And through the atomic writer, to disk.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join(path.file_name().unwrap());
        store::write_results(&copy, &results).unwrap();
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            original.as_bytes(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn nan_metrics_are_read_as_nan() {
    let path = fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json");
    let results = store::read_results(&path).unwrap();
    let summ = results.row("summ|0").unwrap();
    let len_ratio = summ
        .metrics()
        .into_iter()
        .find(|m| m.metric == "len_ratio")
        .unwrap();
    assert!(len_ratio.value.unwrap().is_nan());
    assert!(len_ratio.stderr.unwrap().is_nan());
    let rouge = summ
        .metrics()
        .into_iter()
        .find(|m| m.metric == "rouge1")
        .unwrap();
    assert_eq!((rouge.value, rouge.stderr), (Some(0.0), Some(0.0)));
}

#[test]
fn typed_view_of_a_0_13_results_file() {
    let path = fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-41-33.518746.json");
    let results = store::read_results(&path).unwrap();
    let general = results.general();
    assert_eq!(general.model_name(), Some("model-a"));
    assert_eq!(general.job_id().as_deref(), Some("0"));
    assert_eq!(general.num_fewshot_seeds(), Some(1));
    assert!(general.total_evaluation_time_secs().unwrap() > 0.0);
    assert_eq!(
        general.generation_parameters().unwrap().get("temperature"),
        Some(&Json::Int(0))
    );
    assert_eq!(
        general.model_config().unwrap().get("seed"),
        Some(&Json::Int(43))
    );
    // quiz:geo went to version 1 in this run; 0.13 keeps versions in config_tasks.
    assert_eq!(results.task_version("quiz:geo|0"), Some(1));
    assert_eq!(results.task_version("yesno|0"), Some(0));
    let yesno = results.task_config("yesno|0").unwrap();
    assert_eq!(yesno.name(), Some("yesno"));
    let mcc = yesno.metric("mcc").unwrap();
    assert_eq!(mcc.aggregation().as_deref(), Some("MatthewsCorrCoef"));
    assert_eq!(mcc.higher_is_better("mcc"), Some(true));
    assert_eq!(
        yesno.metric("acc").unwrap().aggregation().as_deref(),
        Some("mean")
    );
    assert_eq!(yesno.effective_num_docs(), None, "0.13 writes -1: unknown");
    assert!(
        results
            .measured_tasks()
            .iter()
            .any(|t| t.as_str() == "quiz:hist|0")
    );
    assert!(results.row("summ|0").is_none());
    let summary = results.task_summary("quiz:geo|0").unwrap();
    assert_eq!(summary.hashes().hash_full_prompts, "ef46db3751d8e999");
    assert_eq!(summary.count("truncated"), Some(0));
    assert_eq!(
        results
            .general_summary()
            .unwrap()
            .hashes()
            .hash_examples
            .len(),
        16
    );
}

#[test]
fn typed_view_of_a_0_10_results_file() {
    let path =
        fixture("lighteval-0.10.0/results/org-t/tiny-gpt2/results_2026-11-23T22-20-10.142262.json");
    let results = store::read_results(&path).unwrap();
    let general = results.general();
    assert_eq!(general.model_name(), Some("org-t/tiny-gpt2"));
    assert_eq!(
        general.job_id().as_deref(),
        Some("0"),
        "0.10 writes the integer 0"
    );
    assert!(general.model_config().is_none());
    assert_eq!(
        general.legacy_model_field("model_dtype"),
        Some(&Json::Str("float32".into()))
    );
    assert_eq!(general.generation_parameters().unwrap().len(), 15);
    // versions is filled in 0.10; config_tasks is keyed without the few-shot part.
    assert_eq!(results.task_version("custom|phrase|3"), Some(2));
    let geo = results.task_config("custom|quiz:geo|0").unwrap();
    assert_eq!(geo.name(), Some("quiz:geo"));
    assert_eq!(geo.effective_num_docs(), Some(16));
    let metrics = geo.metrics();
    assert_eq!(
        metrics
            .iter()
            .flat_map(|m| m.names.clone())
            .collect::<Vec<_>>(),
        ["acc", "acc_norm"]
    );
    let summ = results.task_summary("custom|summ|0").unwrap();
    assert_eq!(summ.count("truncated"), Some(6));
    assert!(summ.raw().contains_key("effective_few_shots"));
    let keys: Vec<String> = results
        .measured_tasks()
        .iter()
        .map(|k| k.name().to_owned())
        .collect();
    assert!(keys.contains(&"quiz:geo".to_owned()));
}

#[test]
fn nested_details_of_lighteval_0_13() {
    let run_dir = "lighteval-0.13/details/model-a/2026-11-23T21-40-51.814529";
    let open = |task: &str| {
        store::DetailsFile::open(&fixture(&format!(
            "{run_dir}/details_{task}_2026-11-23T21-40-51.814529.parquet"
        )))
        .unwrap()
    };
    let geo = open("quiz:geo|0");
    assert_eq!(geo.layout(), DetailsLayout::Nested);
    assert_eq!(geo.num_rows(), 16);
    assert_eq!(geo.metric_names(), ["acc", "acc_norm"]);
    let details: Vec<_> = geo.details(5).unwrap().flat_map(|b| b.unwrap()).collect();
    assert_eq!(details.len(), 16);
    let first = &details[0];
    assert_eq!(first.doc.choices.len(), 4);
    assert_eq!(first.model_response.logprobs.len(), 4);
    assert_eq!(first.doc.gold_index.len(), 1);
    assert!(first.doc.id.is_some());
    assert!(matches!(first.prediction(), Prediction::Choice { .. }));
    assert!(first.metric_value("acc").is_some());
    assert!(matches!(first.doc.specific, Json::Object(_)));

    // Corpus metrics store their inputs; fields that are always None have Arrow type null.
    let yesno = open("yesno|0");
    let detail = yesno
        .details(64)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .remove(0);
    assert!(detail.metric["mcc"].get("golds").is_some());
    assert_eq!(detail.metric_value("mcc"), None);
    assert_eq!(detail.doc.instruction, None);

    // Generative, 3-shot, with few-shot docs and an instruction.
    let phrase = open("phrase|3");
    let detail = phrase
        .details(64)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .remove(0);
    assert_eq!(detail.doc.fewshot_samples.len(), 3);
    assert!(detail.doc.instruction.is_some());
    assert_eq!(
        detail.prediction(),
        Prediction::Generated("random baseline")
    );

    // NaN per-sample metric survives.
    let summ = open("summ|0");
    let nan_rows = summ
        .details(64)
        .unwrap()
        .flat_map(|b| b.unwrap())
        .filter(|d| d.metric_value("len_ratio").is_some_and(f64::is_nan))
        .count();
    assert_eq!(nan_rows, 1);
}

#[test]
fn projection_reads_only_the_requested_columns() {
    let path = fixture(
        "lighteval-0.13/details/model-a/2026-11-23T21-40-51.814529/details_quiz:geo|0_2026-11-23T21-40-51.814529.parquet",
    );
    let file = store::DetailsFile::open(&path).unwrap();
    let batch = file
        .batches(Some(&["doc.query", "metric.acc"]), 100)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["doc", "metric"]);
    let rows = store::rows_of(&batch);
    let doc = rows[0]["doc"].as_object().unwrap();
    assert_eq!(doc.keys().collect::<Vec<_>>(), ["query"]);
    assert_eq!(
        rows[0]["metric"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["acc"]
    );
    let err = file
        .batches(Some(&["doc.nope"]), 100)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("doc.nope") && err.contains("quiz:geo|0"),
        "{err}"
    );
}

#[test]
fn flat_details_of_lighteval_0_10_and_text_details_of_0_7_agree() {
    let tasks = [
        "custom|quiz:geo|0",
        "custom|yesno|0",
        "custom|phrase|3",
        "custom|translate|0",
    ];
    for task in tasks {
        let name = format!("details_{task}_2026-11-23T22-20-10.142262.parquet");
        let typed = store::DetailsFile::open(&fixture(&format!(
            "lighteval-0.10.0/details/org-t/tiny-gpt2/2026-11-23T22-20-10.142262/{name}"
        )))
        .unwrap();
        let text = store::DetailsFile::open(&fixture(&format!(
            "lighteval-0.7-text/details/org-t/tiny-gpt2/2026-11-23T22-20-10.142262/{name}"
        )))
        .unwrap();
        assert_eq!(typed.layout(), DetailsLayout::Flat);
        assert_eq!(text.layout(), DetailsLayout::FlatText);
        let typed_rows: Vec<_> = typed.details(7).unwrap().flat_map(|b| b.unwrap()).collect();
        let text_rows: Vec<_> = text.details(7).unwrap().flat_map(|b| b.unwrap()).collect();
        assert_eq!(typed_rows.len(), text_rows.len(), "{task}");
        for (a, b) in typed_rows.iter().zip(&text_rows) {
            assert_eq!(a.doc.query, b.doc.query, "{task}");
            assert_eq!(a.doc.choices, b.doc.choices, "{task}");
            assert_eq!(a.doc.gold_index, b.doc.gold_index, "{task}");
            assert_eq!(a.doc.gold_texts, b.doc.gold_texts, "{task}");
            assert_eq!(a.model_response.text, b.model_response.text, "{task}");
            assert_eq!(
                a.model_response.logprobs, b.model_response.logprobs,
                "{task}"
            );
            assert_eq!(
                a.model_response.truncated_tokens_count,
                b.model_response.truncated_tokens_count
            );
            assert_eq!(
                a.model_response.padded_tokens_count,
                b.model_response.padded_tokens_count
            );
            // Text cells cannot tell 1 from 1.0, so compare metrics numerically.
            for (name, value) in &a.metric {
                match value.as_f64() {
                    Some(x) => assert_eq!(Some(x), b.metric_value(name), "{task} {name}"),
                    None => assert_eq!(Some(value), b.metric.get(name), "{task} {name}"),
                }
            }
        }
        if task.contains("quiz") {
            let d = &typed_rows[0];
            assert_eq!(d.model_response.logprobs.len(), d.doc.choices.len());
            assert!(
                d.model_response.padded_tokens_count.unwrap() > 0,
                "0.10's model padded batches"
            );
            assert!(d.model_response.extra.contains_key("is_greedy"));
        }
        if task.contains("phrase") {
            assert!(!typed_rows[0].doc.gold_texts.is_empty());
            assert_eq!(typed_rows[0].model_response.text.len(), 1);
            assert!(
                typed_rows[0].doc.full_prompt.as_deref().unwrap().len()
                    > typed_rows[0].doc.query.len()
            );
        }
    }
}

#[test]
fn discovers_every_model_and_run_of_the_0_13_fixtures() {
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    let models: Vec<_> = catalog.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(models, ["model-a", "org-b/model-b"]);
    let model_a = catalog.model("model-a").unwrap();
    let dates: Vec<_> = model_a.runs.iter().map(|r| r.date_id.as_str()).collect();
    assert_eq!(
        dates,
        ["2026-11-23T21-40-51.814529", "2026-11-23T21-41-33.518746"]
    );
    assert_eq!(model_a.runs[0].details.len(), 7);
    assert!(
        model_a.runs[1]
            .details
            .iter()
            .any(|(t, _)| t == "quiz:hist|0")
    );
    assert!(model_a.runs.iter().all(|r| r.results_path.is_some()));

    let first = catalog
        .select(Some("model-a"), Some(&RunSelector::First))
        .unwrap()
        .run;
    assert_eq!(first.date_id, "2026-11-23T21-40-51.814529");
    let last = catalog
        .select(Some("model-a"), Some(&RunSelector::Last))
        .unwrap()
        .run;
    assert_eq!(last.date_id, "2026-11-23T21-41-33.518746");
    // No model named: the newest run of all, and the caller is told there was a choice.
    let newest = catalog.select(None, None).unwrap();
    assert_eq!(
        (newest.run.model.as_str(), newest.chose_among),
        ("org-b/model-b", 2)
    );
    // A date only one model has picks that model.
    let by_date = catalog
        .select(
            None,
            Some(&RunSelector::Date("2026-11-23T21-40-51.814529".into())),
        )
        .unwrap();
    assert_eq!(by_date.run.model, "model-a");
    let err = catalog
        .select(Some("model-z"), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("model-z") && err.contains("org-b/model-b"),
        "{err}"
    );
    let err = catalog
        .select(
            Some("model-a"),
            Some(&RunSelector::Date("2020-01-01".into())),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("2026-11-23T21-40-51.814529"), "{err}");
}

#[test]
fn discovers_from_any_level_of_the_layout() {
    // The results folder, one model's results folder, one results file, one details folder.
    let cases = [
        ("lighteval-0.13/results", vec!["model-a", "org-b/model-b"]),
        (
            "lighteval-0.13/results/org-b/model-b",
            vec!["org-b/model-b"],
        ),
        ("lighteval-0.13/details/org-b", vec!["org-b/model-b"]),
        (
            "lighteval-0.13/details/model-a/2026-11-23T21-41-33.518746",
            vec!["model-a"],
        ),
        ("lighteval-0.10.0", vec!["org-t/tiny-gpt2"]),
    ];
    for (source, expected) in cases {
        let catalog = store::discover(&fixture(source)).unwrap();
        let models: Vec<_> = catalog.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(models, expected, "{source}");
    }
    // A results file brings the details of its run from lighteval's layout beside it.
    let file =
        fixture("lighteval-0.13/results/org-b/model-b/results_2026-11-23T21-41-57.557004.json");
    let catalog = store::discover(&file).unwrap();
    let run = &catalog.models[0].runs[0];
    assert_eq!(run.model, "org-b/model-b");
    assert_eq!(run.details.len(), 7);
    assert_eq!(run.results_path.as_deref(), Some(file.as_path()));
}

#[test]
fn partial_runs_and_unicode_names() {
    let catalog = store::discover(&fixture("partial_runs/results_without_details")).unwrap();
    let run = &catalog.models[0].runs[0];
    assert!(run.results_path.is_some() && run.details.is_empty());
    let err = run.open_details("yesno|0").unwrap_err().to_string();
    assert!(err.contains("yesno|0") && err.contains("none"), "{err}");

    let catalog = store::discover(&fixture("partial_runs/details_without_results")).unwrap();
    let run = &catalog.models[0].runs[0];
    assert_eq!(run.model, "model-a");
    assert!(run.results_path.is_none());
    assert_eq!(run.open_details("yesno|0").unwrap().num_rows(), 30);
    let err = run.load_results().unwrap_err().to_string();
    assert!(err.contains("no results file"), "{err}");

    let catalog = store::discover(&fixture("unicode_task_names")).unwrap();
    let run = &catalog.models[0].runs[0];
    assert_eq!(run.model, "モデル");
    assert_eq!(run.details[0].0, "数学:代数|0");
    assert_eq!(run.open_details("数学:代数|0").unwrap().num_rows(), 10);
}

#[test]
fn streaming_json_equals_the_tree_for_every_fixture_cell() {
    use evaldeck::model::pyjson::{self, WriteOptions};
    // Every well-formed details fixture (tests/fixtures/bad holds the broken ones).
    let files: Vec<_> = support::files_with_suffix(&fixtures(), ".parquet")
        .into_iter()
        .filter(|p| !p.starts_with(fixtures().join("bad")))
        .collect();
    let mut cells = 0;
    assert!(files.len() >= 20, "the good details fixtures: {files:?}");
    for path in files
        .iter()
        .map(|p| store::DetailsFile::open(p).unwrap_or_else(|e| panic!("{e}")))
    {
        for batch in path.batches(None, 64).unwrap() {
            let batch = batch.unwrap();
            for column in batch.columns() {
                for row in 0..batch.num_rows() {
                    let mut streamed = String::new();
                    store::write_cell(&mut streamed, column.as_ref(), row);
                    let tree = pyjson::to_string(
                        &store::cell(column.as_ref(), row),
                        WriteOptions::STRICT_COMPACT,
                    );
                    assert_eq!(streamed, tree, "{}", path.path().display());
                    cells += 1;
                }
            }
        }
    }
    assert!(cells > 500, "{cells}");
}
