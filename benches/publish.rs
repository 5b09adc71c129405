//! Publishing speed: the dataset card of a big details repo, TensorBoard events of a 60-task run,
//! and a whole push (hashing, LFS `basic` uploads, the commit) of a 60-task run to the local Hub
//! server over loopback.

#[path = "../tests/it/hub_server/mod.rs"]
mod hub_server;
mod support;

use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use evaldeck::hub::{HubClient, HubEndpoint, Token};
use evaldeck::publish::{card, plan_push, push_to_hub, tensorboard};
use evaldeck::store;

/// 200 runs × 60 tasks: the file list of a model evaluated daily for most of a year.
fn big_repo_files() -> Vec<String> {
    let mut files = Vec::new();
    for day in 0..200 {
        let date = format!(
            "2026-{:02}-{:02}T10-00-00.000000",
            1 + day / 28,
            1 + day % 28
        );
        files.push(format!("results_{date}.json"));
        files.push(format!("results_{date}.parquet"));
        for task in 0..60 {
            files.push(format!(
                "{date}/details_mmlu:subject{task:02}|5_{date}.parquet"
            ));
        }
    }
    files.sort();
    files
}

/// The one run of a generated output folder.
fn only_run(out: &std::path::Path) -> store::Run {
    store::discover(out).unwrap().runs().next().unwrap().clone()
}

fn card(c: &mut Criterion) {
    let files = big_repo_files();
    let run = only_run(&support::run_of_tasks(60, 100));
    let results = run.load_results().unwrap();
    let section = match results.as_map().get("results") {
        Some(evaldeck::model::Json::Object(map)) => map.clone(),
        _ => unreachable!(),
    };
    c.bench_function("card_12000_files", |b| {
        b.iter(|| {
            card::build(&card::CardInput {
                repo_id: "org/details_bench",
                model_name: "org/bench",
                files: &files,
                latest_results: Some(("results_2026-08-04T10-00-00.000000.json", &section)),
                endpoint: "https://huggingface.co",
            })
        })
    });
    c.bench_function("tensorboard_60_tasks", |b| {
        let dir = tempfile::tempdir().unwrap();
        b.iter(|| {
            tensorboard::write_tensorboard(
                dir.path(),
                &results,
                &tensorboard::TensorboardOptions::default(),
                1.0e9,
            )
            .unwrap()
        })
    });
}

fn push(c: &mut Criterion) {
    let run = only_run(&support::run_of_tasks(60, 5_000));
    let bytes: u64 = run
        .details
        .iter()
        .map(|(_, p)| std::fs::metadata(p).unwrap().len())
        .sum();
    eprintln!("push bench: 60 details files, {:.1} MB", bytes as f64 / 1e6);
    let server = hub_server::HubServer::start("hf_bench");
    let mut endpoint = HubEndpoint::new(&server.url, Token::new("hf_bench"));
    endpoint.retry.first_delay = Duration::from_millis(10);
    let client = HubClient::new(endpoint).unwrap();
    let mut group = c.benchmark_group("push");
    group.sample_size(10);
    group.bench_function("60_tasks_x_5000_rows", |b| {
        b.iter_batched(
            || {
                // A fresh Hub each time, so every object is uploaded again.
                let mut state = server.state.lock().unwrap();
                state.repos.clear();
                state.blobs.clear();
                state.bodies_seen.clear();
                state.log.clear();
            },
            |()| {
                let plan = plan_push("bench", false, &run).unwrap();
                push_to_hub(&client, &plan, &mut |_| {}).unwrap()
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, card, push);
criterion_main!(benches);
