//! Remote runs are read by range, not downloaded: against the local Hub server, which counts
//! the bytes it serves. The large details file is written by `datasets` exactly as lighteval
//! writes one (`Dataset.to_parquet`: its row groups, page index and content-defined chunking),
//! and the server's range answers are checked with `huggingface_hub`'s own file system.

use crate::hub_server;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::hub_server::HubServer;
use crate::support::{fixture, interop_python, python_env};
use evaldeck::hub::{HubClient, HubEndpoint, Token};
use evaldeck::publish::{plan_push, push_to_hub};
use evaldeck::store;
use evaldeck::tui::data::{SamplesRead, load_samples};

const TOKEN: &str = "hf_test_token_ranges";
const DATE: &str = "2026-11-23T21-41-33.518746";
const BIG_TASK: &str = "quiz:sci|0";
const ROWS: usize = 250_000;
const REPO: &str = "evals/details_model-a";
const SOURCE: &str = "hf://datasets/evals/details_model-a";

/// 250,000 rows of lighteval 0.13's details (the fixture's rows, each with its own id and a
/// 60-word query), written by `datasets` as lighteval writes them. Made once per `target/`.
fn big_details(python: &Path) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/hub-ranges");
    let path = dir.join(format!("details_{ROWS}_v2.parquet"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let template = fixture(&format!(
        "lighteval-0.13/details/model-a/{DATE}/details_{BIG_TASK}_{DATE}.parquet"
    ));
    let partial = path.with_extension("partial");
    python_env(
        python,
        r#"
import random, sys
import pyarrow as pa, pyarrow.parquet as pq
import datasets
from datasets.table import InMemoryTable
source, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
table = pq.read_table(source)
table = table.take(pa.array([i % table.num_rows for i in range(n)]))
# Text about as compressible as real prompts: 60 words a row drawn from 5,000 made-up ones.
rng = random.Random(7)
letters = "abcdefghijklmnopqrstuvwxyz"
words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(5000)]
queries = [f"Question {i}: " + " ".join(rng.choices(words, k=60)) for i in range(n)]
doc = table.column("doc").combine_chunks()
fields = [doc.type.field(k) for k in range(doc.type.num_fields)]
children = []
for field in fields:
    if field.name == "query":
        children.append(pa.array(queries, field.type))
    elif field.name == "id":
        children.append(pa.array([str(i) for i in range(n)], field.type))
    else:
        children.append(doc.field(field.name))
doc = pa.StructArray.from_arrays(children, fields=fields)
table = table.set_column(table.schema.get_field_index("doc"), "doc", doc)
datasets.Dataset(InMemoryTable(table)).to_parquet(out)
meta = pq.ParquetFile(out).metadata
print(meta.num_rows, meta.num_row_groups)
"#,
        &[
            template.to_str().unwrap(),
            partial.to_str().unwrap(),
            &ROWS.to_string(),
        ],
        &[],
    );
    std::fs::rename(&partial, &path).unwrap();
    path
}

/// A lighteval run of 60 tasks in `root`: model-a's results with 59 more tasks beside
/// `quiz:sci|0`, whose details are the big file; the others' details are a small fixture's.
fn sixty_task_run(root: &Path, big: &Path) -> store::Run {
    let results_dir = root.join("results/model-a");
    let details_dir = root.join(format!("details/model-a/{DATE}"));
    std::fs::create_dir_all(&results_dir).unwrap();
    std::fs::create_dir_all(&details_dir).unwrap();
    let results_fixture = fixture(&format!(
        "lighteval-0.13/results/model-a/results_{DATE}.json"
    ));
    let mut results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(results_fixture).unwrap()).unwrap();
    let small = fixture(&format!(
        "lighteval-0.13/details/model-a/{DATE}/details_yesno|0_{DATE}.parquet"
    ));
    for n in 0..59 {
        let task = format!("extra:t{n:02}|0");
        for section in ["results", "config_tasks", "summary_tasks", "versions"] {
            if let Some(entry) = results[section].get(BIG_TASK).cloned() {
                results[section][&task] = entry;
            }
        }
        std::fs::copy(
            &small,
            details_dir.join(format!("details_{task}_{DATE}.parquet")),
        )
        .unwrap();
    }
    std::fs::write(
        results_dir.join(format!("results_{DATE}.json")),
        serde_json::to_string_pretty(&results).unwrap(),
    )
    .unwrap();
    std::fs::copy(
        big,
        details_dir.join(format!("details_{BIG_TASK}_{DATE}.parquet")),
    )
    .unwrap();
    let catalog = store::discover(root).unwrap();
    let run = catalog.runs().next().unwrap().clone();
    assert_eq!(run.details.len(), 60, "the run has 60 tasks");
    run
}

fn endpoint(server: &HubServer, cache: &Path) -> HubEndpoint {
    let mut endpoint = HubEndpoint::new(&server.url, Token::new(TOKEN));
    endpoint.retry.first_delay = Duration::from_millis(5);
    endpoint.cache_dir = Some(cache.to_owned());
    endpoint
}

/// The binary with a clean Hugging Face environment under `home`, pointed at `url`.
fn evaldeck(args: &[&str], home: &Path, url: &str) -> std::process::Output {
    crate::support::evaldeck_command()
        .args(args)
        .env_remove("HF_TOKEN")
        .env("HF_ENDPOINT", url)
        .env("HF_HOME", home.join("hf"))
        .env("HF_HUB_CACHE", home.join("hf/hub"))
        .output()
        .expect("run evaldeck")
}

fn stdout_of(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "evaldeck failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The repo path of a pushed file, found by its name.
fn repo_path(server: &HubServer, name: &str) -> String {
    server
        .repo(REPO)
        .unwrap()
        .files
        .keys()
        .find(|p| p.ends_with(name))
        .unwrap_or_else(|| panic!("{name} was not pushed"))
        .clone()
}

#[test]
fn a_remote_run_is_read_by_range_and_offline_from_what_was_read() {
    let Some(python) = interop_python() else {
        return;
    };
    let big = big_details(&python);
    let big_len = std::fs::metadata(&big).unwrap().len();
    let root = tempfile::tempdir().unwrap();
    let run = sixty_task_run(root.path(), &big);
    let server = HubServer::start(TOKEN);
    let client = HubClient::new(endpoint(&server, &root.path().join("push-cache"))).unwrap();
    push_to_hub(
        &client,
        &plan_push("evals", true, &run).unwrap(),
        &mut |_| {},
    )
    .unwrap();
    let big_in_repo = repo_path(&server, &format!("details_{BIG_TASK}_{DATE}.parquet"));
    let results_in_repo = repo_path(&server, &format!("results_{DATE}.json"));

    // The server answers ranges as the Hub does, by the reference client's own reading.
    let (start, length) = (big_len / 3, 100_000u64);
    let local = std::fs::read(&big).unwrap();
    let expected = hub_server::sha256_hex(&local[start as usize..(start + length) as usize]);
    let read = python_env(
        &python,
        r#"
import hashlib, sys
from huggingface_hub import HfFileSystem
fs = HfFileSystem(endpoint=sys.argv[1], token=sys.argv[2])
start = int(sys.argv[4])
data = fs.cat_file(sys.argv[3], start=start, end=start + int(sys.argv[5]))
print(hashlib.sha256(data).hexdigest())
"#,
        &[
            &server.url,
            TOKEN,
            &format!("datasets/{REPO}/{big_in_repo}"),
            &start.to_string(),
            &length.to_string(),
        ],
        &[("HF_HUB_DISABLE_XET", "1"), ("HF_HUB_OFFLINE", "0")],
    );
    assert_eq!(
        read.trim(),
        expected,
        "huggingface_hub reads the same range"
    );

    // Showing the remote run's results reads its results file and nothing else.
    server.state.lock().unwrap().served.clear();
    let home = tempfile::tempdir().unwrap();
    let shown = stdout_of(&evaldeck(&["show", SOURCE], home.path(), &server.url));
    assert!(shown.contains("extra:t58"), "all 60 tasks shown:\n{shown}");
    let results_bytes = server.bytes_served_for(REPO, &results_in_repo);
    assert!(results_bytes > 0, "the results file was read");
    assert_eq!(
        server.bytes_served(),
        results_bytes,
        "only the results file was read: {:?}",
        server.state.lock().unwrap().served
    );

    // The Samples screen's first screen of the 250,000-row task reads under 5 % of its file.
    let cache = tempfile::tempdir().unwrap();
    let opened =
        evaldeck::source::open(&SOURCE.parse().unwrap(), endpoint(&server, cache.path())).unwrap();
    let remote_run = opened.catalog.runs().next().unwrap().clone();
    server.state.lock().unwrap().served.clear();
    let cancel = AtomicBool::new(false);
    let mut first_screen = None;
    load_samples(
        &remote_run,
        BIG_TASK,
        &cancel,
        Duration::from_secs(3600),
        |read| {
            if let SamplesRead::First(table) = read {
                first_screen = Some((server.bytes_served(), table));
                cancel.store(true, Ordering::Relaxed);
            }
        },
    )
    .unwrap();
    let (bytes, table) = first_screen.expect("a first screen");
    let share = bytes as f64 / big_len as f64;
    eprintln!(
        "first screen of {ROWS} rows: {bytes} of {big_len} bytes ({:.2} %)",
        share * 100.0
    );
    assert!(share < 0.05, "{bytes} of {big_len} bytes read");
    assert!(table.len() >= 1024, "a whole first chunk: {}", table.len());
    let local_file = store::DetailsFile::open(run.details_path(BIG_TASK).unwrap()).unwrap();
    let local_rows = store::list_batches(&local_file, 1024)
        .unwrap()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    for row in [0, 1, 1023] {
        assert_eq!(table.row_text(row).id, local_rows.id(row).unwrap());
        assert!(
            local_rows
                .query(row)
                .starts_with(table.row_text(row).query.trim_end_matches('…'))
        );
    }
    // A row deep in the file (the Sample screen) costs its own pages, not the file.
    server.state.lock().unwrap().served.clear();
    let remote_file = remote_run.open_details(BIG_TASK).unwrap();
    let deep = (ROWS as u64) * 3 / 4 + 17;
    let (_, detail) = remote_file.read_row(deep).unwrap();
    assert_eq!(detail.doc.id.as_deref(), Some(deep.to_string().as_str()));
    assert_eq!(detail, local_file.read_row(deep).unwrap().1);
    let deep_bytes = server.bytes_served();
    eprintln!("row {deep}: {deep_bytes} bytes");
    assert!((deep_bytes as f64) < big_len as f64 * 0.05, "{deep_bytes}");

    // `samples hf://… --task T --limit 20`, from a cold cache, reads under 5 % too, and prints
    // what the same command prints of the local run.
    server.state.lock().unwrap().served.clear();
    let home = tempfile::tempdir().unwrap();
    let args = ["samples", SOURCE, "--task", BIG_TASK, "--limit", "20"];
    let remote_out = stdout_of(&evaldeck(&args, home.path(), &server.url));
    let local_dir = root.path().to_str().unwrap().to_owned();
    let local_args = ["samples", &local_dir, "--task", BIG_TASK, "--limit", "20"];
    let local_out = stdout_of(&evaldeck(&local_args, home.path(), &server.url));
    assert_eq!(remote_out, local_out);
    assert!(remote_out.lines().count() >= 20, "{remote_out}");
    let samples_bytes = server.bytes_served_for(REPO, &big_in_repo);
    eprintln!("samples --limit 20: {samples_bytes} bytes of the details file");
    assert!(samples_bytes > 0);
    assert!(
        (samples_bytes as f64) < big_len as f64 * 0.05,
        "{samples_bytes}"
    );

    // Offline, what was read once reads again from the cache.
    drop(server);
    let offline = evaldeck(&args, home.path(), "http://127.0.0.1:9");
    assert_eq!(stdout_of(&offline), remote_out);
    let more = ["samples", SOURCE, "--task", BIG_TASK, "--limit", "100000"];
    let unread = evaldeck(&more, home.path(), "http://127.0.0.1:9");
    assert!(!unread.status.success(), "rows never read are not made up");
    let message = String::from_utf8_lossy(&unread.stderr);
    assert!(message.contains("never read here"), "{message}");
}

/// `runs hf://datasets/ORG` lists every details repo of the organisation with its runs, page by
/// page as the server pages them, downloading nothing; `huggingface_hub`'s own listing of the
/// same pages gives the expected runs. A run of the listing then opens like its repo's.
#[test]
fn an_organisation_lists_its_runs_page_by_page() {
    let Some(python) = interop_python() else {
        return;
    };
    let server = HubServer::start(TOKEN);
    server.state.lock().unwrap().page_size = 2;
    let push_cache = tempfile::tempdir().unwrap();
    let client = HubClient::new(endpoint(&server, push_cache.path())).unwrap();
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    for run in catalog.runs() {
        push_to_hub(
            &client,
            &plan_push("evals", true, run).unwrap(),
            &mut |_| {},
        )
        .unwrap();
        push_to_hub(
            &client,
            &plan_push("others", true, run).unwrap(),
            &mut |_| {},
        )
        .unwrap();
    }
    // A third repo of the organisation holds no run; a fourth holds a copy of model-a's.
    for (repo, source) in [
        ("notes", None),
        ("details_copy", Some(catalog.runs().next().unwrap())),
    ] {
        let files = match source {
            Some(run) => plan_push("evals", true, run).unwrap().uploads,
            None => Vec::new(),
        };
        let repo = evaldeck::hub::Repo::dataset(format!("evals/{repo}"));
        client.ensure_repo(&repo, false).unwrap();
        if !files.is_empty() {
            client.commit(&repo, &files, "copy", &mut |_| {}).unwrap();
        }
    }

    // What the reference client lists: every repo, through every page, and the runs its file
    // names give (results_DATE.json and DATE/details_TASK_DATE.parquet).
    let expected = python_env(
        &python,
        r#"
import json, re, sys
from huggingface_hub import HfApi
api = HfApi(endpoint=sys.argv[1])
runs = []
for info in api.list_datasets(author="evals", full=True):
    dates = {}
    for sibling in info.siblings:
        name = sibling.rfilename.rsplit("/", 1)[-1]
        m = re.fullmatch(r"results_(.+)\.json", name) or re.fullmatch(r"details_.+_(\d{4}-.+)\.parquet", name)
        if m:
            dates.setdefault(m.group(1), 0)
            if name.startswith("details_"):
                dates[m.group(1)] += 1
    runs += [f"{info.id} {date} {tasks}" for date, tasks in dates.items()]
print("\n".join(sorted(runs)))
"#,
        &[&server.url],
        &[("HF_HUB_DISABLE_XET", "1")],
    );
    let pages_asked = |server: &HubServer| {
        server
            .log()
            .iter()
            .filter(|l| l.starts_with("GET /api/datasets?"))
            .count()
    };
    assert!(pages_asked(&server) >= 2, "the reference client paged");
    let expected: Vec<&str> = expected.lines().collect();
    assert!(expected.len() >= 4, "{expected:?}");

    server.state.lock().unwrap().log.clear();
    server.state.lock().unwrap().served.clear();
    let home = tempfile::tempdir().unwrap();
    let listed = stdout_of(&evaldeck(
        &["runs", "hf://datasets/evals", "--format", "json"],
        home.path(),
        &server.url,
    ));
    let mut got: Vec<String> = listed
        .lines()
        .map(|line| {
            let run: serde_json::Value = serde_json::from_str(line).unwrap();
            format!(
                "{} {} {}",
                run["repo"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("hf://datasets/"),
                run["date_id"].as_str().unwrap(),
                run["tasks"]
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);
    let repos = server
        .state
        .lock()
        .unwrap()
        .repos
        .keys()
        .filter(|k| k.starts_with("datasets/evals/"))
        .count();
    assert_eq!(
        pages_asked(&server),
        repos.div_ceil(2),
        "one request a page"
    );
    assert_eq!(server.bytes_served(), 0, "a listing downloads nothing");
    let table = stdout_of(&evaldeck(
        &["runs", "hf://datasets/evals"],
        home.path(),
        &server.url,
    ));
    assert!(table.starts_with("Repo "), "{table}");
    assert_eq!(table.lines().count(), expected.len() + 1, "{table}");

    // A `Link` to another host is not followed: the token stays with the Hub it is for.
    server.state.lock().unwrap().next_page_base =
        Some(server.url.replace("127.0.0.1", "localhost"));
    server.state.lock().unwrap().log.clear();
    let elsewhere = evaldeck(
        &["runs", "hf://datasets/evals", "--format", "json"],
        home.path(),
        &server.url,
    );
    assert!(!elsewhere.status.success());
    let message = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(message.contains("another host"), "{message}");
    assert_eq!(
        pages_asked(&server),
        1,
        "the second page was never asked for"
    );
    server.state.lock().unwrap().next_page_base = None;

    // A run of the listing reads its results when opened, and its details by range.
    let opened = evaldeck::source::open(
        &"hf://datasets/evals".parse().unwrap(),
        endpoint(&server, home.path()),
    )
    .unwrap();
    let local = catalog
        .runs()
        .find(|r| r.model == "model-a" && r.date_id == DATE)
        .unwrap();
    let remote = opened
        .catalog
        .runs()
        .find(|r| {
            r.model == "model-a"
                && r.date_id == DATE
                && r.results_path
                    .as_ref()
                    .unwrap()
                    .to_string_lossy()
                    .contains("details_model-a")
        })
        .unwrap();
    assert!(!remote.results_on_disk(), "not read by the listing");
    assert_eq!(
        remote.load_results().unwrap(),
        local.load_results().unwrap()
    );
    let (task, _) = &local.details[0];
    let rows = |file: &store::DetailsFile| -> Vec<evaldeck::model::Detail> {
        file.details(4096)
            .unwrap()
            .flat_map(Result::unwrap)
            .collect()
    };
    let file = remote.open_details(task).unwrap();
    assert!(file.is_remote());
    assert_eq!(rows(&file), rows(&local.open_details(task).unwrap()));

    // Bytes that are not the ones asked for are refused, never cached as the file's.
    server.state.lock().unwrap().shift_ranges = true;
    let (other, _) = &local.details[1];
    let refused = remote.open_details(other).unwrap_err().to_string();
    assert!(refused.contains("asked for bytes"), "{refused}");
    server.state.lock().unwrap().shift_ranges = false;
    let file = remote.open_details(other).unwrap();
    assert_eq!(rows(&file), rows(&local.open_details(other).unwrap()));
}

/// An organisation whose repos hold other harnesses' runs: an lm-eval run in the Open LLM
/// Leaderboard's layout (`ORG__MODEL/results_DATE.json` with its samples) and Inspect logs
/// (one a shard its merged log covers). The listing names each by its files, downloads nothing,
/// and a run opened reads as the same files read locally. `huggingface_hub.list_datasets`
/// pages through the same listing and sees the same files.
#[test]
fn an_organisation_lists_inspect_and_lm_eval_runs() {
    let Some(python) = interop_python() else {
        return;
    };
    let server = HubServer::start(TOKEN);
    server.state.lock().unwrap().page_size = 1;
    let push_cache = tempfile::tempdir().unwrap();
    let client = HubClient::new(endpoint(&server, push_cache.path())).unwrap();
    let upload = |path: PathBuf, in_repo: String| evaldeck::hub::Upload {
        path_in_repo: in_repo,
        content: evaldeck::hub::Content::File(path),
    };
    let lm_eval = fixture("lm-eval-0.4.13/fixture-org__dummy-lm");
    const LM_DATE: &str = "2026-11-30T02-37-30.831220";
    let lm_files: Vec<_> = std::fs::read_dir(&lm_eval)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(LM_DATE))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            upload(p, format!("fixture-org__dummy-lm/{name}"))
        })
        .collect();
    let inspect_dir = fixture("inspect-0.3.285");
    const LOG: &str = "2026-11-30T02-36-19-00-00_mc-quiz_RjFGiHzeHG8Qd9cSsZrDVV.eval";
    const OTHER: &str = "2026-11-30T02-36-21-00-00_gen-qa_ZRbM3p5k6KxSusMsqHW5yY.eval";
    let inspect_files = vec![
        upload(inspect_dir.join(LOG), format!("logs/{LOG}")),
        upload(inspect_dir.join(OTHER), format!("logs/{OTHER}")),
        // A shard of the first log, which its merged log covers.
        upload(
            inspect_dir.join(LOG),
            format!("logs/{}.shards/0/{LOG}", LOG.trim_end_matches(".eval")),
        ),
    ];
    for (name, files) in [
        ("fixture-org__dummy-lm-details", lm_files),
        ("inspect-logs", inspect_files),
    ] {
        let repo = evaldeck::hub::Repo::dataset(format!("wildorg/{name}"));
        client.ensure_repo(&repo, false).unwrap();
        client.commit(&repo, &files, "logs", &mut |_| {}).unwrap();
    }

    // The reference client pages through the same listing and sees every file.
    let listed_files = python_env(
        &python,
        r#"
import sys
from huggingface_hub import HfApi
api = HfApi(endpoint=sys.argv[1])
for info in api.list_datasets(author="wildorg", full=True):
    for sibling in info.siblings:
        print(f"{info.id} {sibling.rfilename}")
"#,
        &[&server.url],
        &[("HF_HUB_DISABLE_XET", "1")],
    );
    assert!(listed_files.contains(&format!("wildorg/inspect-logs logs/{LOG}")));
    assert!(listed_files.contains(&format!(
        "wildorg/fixture-org__dummy-lm-details fixture-org__dummy-lm/results_{LM_DATE}.json"
    )));

    server.state.lock().unwrap().served.clear();
    let home = tempfile::tempdir().unwrap();
    let opened = evaldeck::source::open(
        &"hf://datasets/wildorg".parse().unwrap(),
        endpoint(&server, home.path()),
    )
    .unwrap();
    assert_eq!(server.bytes_served(), 0, "a listing downloads nothing");
    let runs: Vec<&store::Run> = opened.catalog.runs().collect();
    let names: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r.harness,
                r.model,
                r.date_id,
                r.details.len()
            )
        })
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        [
            "inspect inspect-logs 2026-11-30T02-36-19.RjFGiHze 1".to_owned(),
            "inspect inspect-logs 2026-11-30T02-36-21.ZRbM3p5k 1".to_owned(),
            format!("lm-eval fixture-org/dummy-lm {LM_DATE} 4"),
        ],
        "the shard is covered by its merged log; lm-eval's model from its folder"
    );
    for run in &runs {
        assert!(
            !run.results_on_disk(),
            "{} not read by the listing",
            run.model
        );
    }
    let local = store::discover_with(&lm_eval, &evaldeck::source::log_formats()).unwrap();
    let local_lm = local.runs().find(|r| r.date_id == LM_DATE).unwrap();
    let remote_lm = runs
        .iter()
        .find(|r| r.model == "fixture-org/dummy-lm")
        .unwrap();
    assert_eq!(
        remote_lm.load_results().unwrap().as_map()["results"],
        local_lm.load_results().unwrap().as_map()["results"]
    );
    assert!(
        remote_lm.details.iter().all(|(_, path)| !path.exists()),
        "the results need no samples file"
    );
    let rows = |file: &store::DetailsFile| -> Vec<evaldeck::model::Detail> {
        file.details(4096)
            .unwrap()
            .flat_map(Result::unwrap)
            .collect()
    };
    let (task, _) = &local_lm.details[0];
    assert_eq!(
        rows(&remote_lm.open_details(task).unwrap()),
        rows(&local_lm.open_details(task).unwrap())
    );
    let on_disk: Vec<bool> = remote_lm.details.iter().map(|(_, p)| p.exists()).collect();
    assert_eq!(
        on_disk,
        [true, false, false, false],
        "a task's samples come down when it is opened, and only its own"
    );
    let local_log =
        store::discover_with(&inspect_dir.join(LOG), &evaldeck::source::log_formats()).unwrap();
    let local_log = local_log.runs().next().unwrap();
    let remote_log = runs
        .iter()
        .find(|r| r.date_id == "2026-11-30T02-36-19.RjFGiHze")
        .unwrap();
    assert_eq!(
        remote_log.load_results().unwrap().as_map()["results"],
        local_log.load_results().unwrap().as_map()["results"]
    );
    // The listing names the task from the file (`mc-quiz`); the log's own name opens it too.
    let (local_task, _) = &local_log.details[0];
    assert_eq!(
        rows(&remote_log.open_details(local_task).unwrap()),
        rows(&local_log.open_details(local_task).unwrap())
    );
    assert!(server.bytes_served() > 0);
}
