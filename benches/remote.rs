//! A remote task's first screen: a 250,000-row and a 1,000,000-row task pushed to the local
//! Hub test server (loopback, so this is evaldeck's own cost, not the network's), opened with a
//! cold cache each time: listing the repo, its results file, the details footer and the pages of
//! the first 1,024 rows. Prints the bytes each first screen transferred, against the file's size.

#[path = "../tests/it/hub_server/mod.rs"]
mod hub_server;
mod support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use evaldeck::hub::{HubClient, HubEndpoint, Token};
use evaldeck::publish::{plan_push, push_to_hub};

const TOKEN: &str = "hf_bench_token";

fn endpoint(url: &str, cache: &Path) -> HubEndpoint {
    let mut endpoint = HubEndpoint::new(url, Token::new(TOKEN));
    endpoint.cache_dir = Some(cache.to_owned());
    endpoint
}

/// Opens the repo with an empty cache and reads the task's first screen.
fn first_screen(url: &str) -> usize {
    let cache = tempfile::tempdir().unwrap();
    let opened = evaldeck::source::open(
        &"hf://datasets/evals/details_org__bench-model"
            .parse()
            .unwrap(),
        endpoint(url, cache.path()),
    )
    .unwrap();
    let run = opened.catalog.runs().next().unwrap().clone();
    let cancel = AtomicBool::new(false);
    let mut rows = 0;
    evaldeck::tui::data::load_samples(
        &run,
        "suite:big|0",
        &cancel,
        Duration::from_secs(3600),
        |read| {
            if let evaldeck::tui::data::SamplesRead::First(table) = read {
                rows = table.len();
                cancel.store(true, Ordering::Relaxed);
            }
        },
    )
    .unwrap();
    rows
}

fn remote_first_screen(c: &mut Criterion) {
    let mut group = c.benchmark_group("remote_first_screen");
    group.sample_size(10);
    for rows in [250_000, 1_000_000] {
        let server = hub_server::HubServer::start(TOKEN);
        let push_cache = tempfile::tempdir().unwrap();
        let client = HubClient::new(endpoint(&server.url, push_cache.path())).unwrap();
        let catalog = evaldeck::store::discover(&support::run_of_one_task(rows, 60)).unwrap();
        let run = catalog.runs().next().unwrap();
        push_to_hub(
            &client,
            &plan_push("evals", true, run).unwrap(),
            &mut |_| {},
        )
        .unwrap();
        let size = std::fs::metadata(&run.details[0].1).unwrap().len();
        server.state.lock().unwrap().served.clear();
        server.state.lock().unwrap().log.clear();
        assert!(first_screen(&server.url) >= 1024);
        let served = server.bytes_served();
        let requests = server.log().len();
        println!(
            "remote first screen of {rows} rows: {served} bytes served ({:.2} % of the {size}-byte details file, results file included), {requests} requests",
            served as f64 * 100.0 / size as f64
        );
        group.bench_function(format!("{rows}_rows"), |b| {
            b.iter(|| first_screen(&server.url))
        });
    }
    group.finish();
}

criterion_group!(benches, remote_first_screen);
criterion_main!(benches);
