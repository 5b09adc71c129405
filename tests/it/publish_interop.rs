//! Publishing, checked by the reference Python clients (pinned in tests/interop/requirements.txt):
//! `huggingface_hub` against the local Hub server (so the server is checked too), `datasets` and
//! pandas on what we pushed, TensorBoard's event reader on our event files, and Trackio on our
//! fragments.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::hub_server::HubServer;
use crate::support::{fixture, interop_python, python_env};
use evaldeck::hub::{HubClient, HubEndpoint, Token};
use evaldeck::publish::{self, plan_push, push_to_hub, tensorboard, trackio};
use evaldeck::store;

const TOKEN: &str = "hf_interop_token_77a1";

fn client(server: &HubServer) -> HubClient {
    let mut endpoint = HubEndpoint::new(&server.url, Token::new(TOKEN));
    endpoint.retry.first_delay = Duration::from_millis(10);
    endpoint.cache_dir = Some(tempfile::tempdir().unwrap().keep());
    HubClient::new(endpoint).unwrap()
}

/// The environment that points `huggingface_hub` at the test server. Xet is off: the server, like
/// any Hub without Xet, speaks the LFS basic transfer.
fn hub_env<'a>(server: &'a HubServer, home: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("HF_ENDPOINT", server.url.as_str()),
        ("HF_TOKEN", TOKEN),
        ("HF_HOME", home),
        ("HF_HUB_DISABLE_XET", "1"),
        ("HF_HUB_DISABLE_TELEMETRY", "1"),
        ("HF_DATASETS_OFFLINE", "0"),
    ]
}

/// The reference client creates a repo, uploads a Parquet file (as LFS) and a text file, lists
/// and downloads them, through the test server; the server keeps the Parquet file as LFS.
#[test]
fn huggingface_hub_round_trips_through_the_test_server() {
    let Some(py) = interop_python() else { return };
    let server = HubServer::start(TOKEN);
    let home = tempfile::tempdir().unwrap();
    let parquet = fixture(
        "lighteval-0.13/details/model-a/2026-11-23T21-40-51.814529/details_quiz:geo|0_2026-11-23T21-40-51.814529.parquet",
    );
    let script = r#"
import sys, hashlib, json
from huggingface_hub import HfApi, hf_hub_download
api = HfApi()
repo = "py-org/roundtrip"
url = api.create_repo(repo, repo_type="dataset", private=True)
assert api.repo_exists(repo, repo_type="dataset")
api.create_repo(repo, repo_type="dataset", private=True, exist_ok=True)
api.upload_file(path_or_fileobj=sys.argv[1], path_in_repo="data/geo.parquet", repo_id=repo, repo_type="dataset")
api.upload_file(path_or_fileobj=b"hello hub\n", path_in_repo="notes.txt", repo_id=repo, repo_type="dataset")
files = sorted(api.list_repo_files(repo, repo_type="dataset"))
local = hf_hub_download(repo, "data/geo.parquet", repo_type="dataset")
text = hf_hub_download(repo, "notes.txt", repo_type="dataset")
print(json.dumps({
    "files": files,
    "parquet_equal": open(local, "rb").read() == open(sys.argv[1], "rb").read(),
    "text": open(text).read(),
    "missing": api.file_exists(repo, "nope.txt", repo_type="dataset"),
}))
"#;
    let home_str = home.path().to_str().unwrap();
    let out = python_env(
        &py,
        script,
        &[parquet.to_str().unwrap()],
        &hub_env(&server, home_str),
    );
    let answer: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        answer["files"],
        serde_json::json!([".gitattributes", "data/geo.parquet", "notes.txt"])
    );
    assert_eq!(answer["parquet_equal"], true);
    assert_eq!(answer["text"], "hello hub\n");
    assert_eq!(answer["missing"], false);
    let repo = server.repo("py-org/roundtrip").unwrap();
    assert!(
        repo.files["data/geo.parquet"].lfs_oid.is_some(),
        "the reference client sent it as LFS"
    );
    assert!(repo.files["notes.txt"].lfs_oid.is_none());
}

/// What we push, `huggingface_hub` lists and downloads byte for byte, `datasets` loads by the
/// card's configs, and every path the card names exists.
#[test]
fn our_push_is_read_back_by_huggingface_hub_and_datasets() {
    let Some(py) = interop_python() else { return };
    let server = HubServer::start(TOKEN);
    let client = client(&server);
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    let runs: Vec<store::Run> = catalog
        .runs()
        .filter(|r| r.model == "model-a")
        .cloned()
        .collect();
    assert_eq!(runs.len(), 2);
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut repo_id = String::new();
    for run in &runs {
        let plan = plan_push("evals", false, run).unwrap();
        repo_id = plan.repo_id.clone();
        push_to_hub(&client, &plan, &mut |_| {}).unwrap();
        let date = &run.date_id;
        expected.insert(
            format!("results_{date}.json"),
            run.results_path.as_ref().unwrap().display().to_string(),
        );
        for (task, path) in &run.details {
            expected.insert(
                format!("{date}/details_{task}_{date}.parquet"),
                path.display().to_string(),
            );
        }
    }
    let expected_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        expected_file.path(),
        serde_json::to_string(&expected).unwrap(),
    )
    .unwrap();
    let script = r#"
import sys, json, math
import pandas as pd
from huggingface_hub import HfApi, hf_hub_download, DatasetCard
from datasets import load_dataset
repo, expected = sys.argv[1], json.load(open(sys.argv[2]))
api = HfApi()
files = set(api.list_repo_files(repo, repo_type="dataset"))
report = {"missing": [], "different": [], "rows": {}}
for in_repo, local in expected.items():
    if in_repo not in files:
        report["missing"].append(in_repo)
        continue
    got = hf_hub_download(repo, in_repo, repo_type="dataset")
    if open(got, "rb").read() != open(local, "rb").read():
        report["different"].append(in_repo)
    if in_repo.endswith(".parquet"):
        report["rows"][in_repo] = len(pd.read_parquet(got))
# The results Parquet: one row, each section as JSON text equal to the results file's.
results_checked = 0
for in_repo in sorted(f for f in files if f.startswith("results_") and f.endswith(".parquet")):
    frame = pd.read_parquet(hf_hub_download(repo, in_repo, repo_type="dataset"))
    assert len(frame) == 1, in_repo
    original = json.load(open(expected[in_repo.replace(".parquet", ".json")]))
    assert list(frame.columns) == list(original.keys()), (list(frame.columns), list(original.keys()))
    for column in frame.columns:
        a, b = json.loads(frame[column][0]), original[column]
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True), column
    results_checked += 1
report["results_checked"] = results_checked
# The card: its YAML parses, and every config's files exist.
card = DatasetCard.load(repo, repo_type="dataset")
configs = card.data.to_dict()["configs"]
report["configs"] = sorted(c["config_name"] for c in configs)
named = set()
for config in configs:
    for split in config["data_files"]:
        for path in split["path"]:
            assert path in files, (config["config_name"], path)
            named.add(path)
unnamed = sorted(f for f in files if f.endswith(".parquet") and f not in named)
assert not unnamed, unnamed
# datasets loads each task's latest split by config name, straight from the Hub.
loaded = {}
for config in configs:
    name = config["config_name"]
    data = load_dataset(repo, name, split="latest")
    loaded[name] = data.num_rows
report["loaded"] = loaded
print(json.dumps(report))
"#;
    let home = tempfile::tempdir().unwrap();
    let out = python_env(
        &py,
        script,
        &[&repo_id, expected_file.path().to_str().unwrap()],
        &hub_env(&server, home.path().to_str().unwrap()),
    );
    let report: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(report["missing"], serde_json::json!([]), "{report}");
    assert_eq!(report["different"], serde_json::json!([]), "{report}");
    assert_eq!(report["results_checked"], 2);
    for (in_repo, local) in &expected {
        if in_repo.ends_with(".parquet") {
            let rows = store::DetailsFile::open(Path::new(local))
                .unwrap()
                .num_rows();
            assert_eq!(report["rows"][in_repo], rows, "{in_repo}");
        }
    }
    let configs: Vec<String> = serde_json::from_value(report["configs"].clone()).unwrap();
    assert!(configs.contains(&"results".to_owned()));
    assert!(configs.contains(&"quiz_geo_0".to_owned()));
    // Each task config's latest split is that task's newest file.
    let newest = &runs.iter().max_by_key(|r| r.date_id.clone()).unwrap();
    for (task, path) in &newest.details {
        let name = publish::card::config_name(task);
        let rows = store::DetailsFile::open(path).unwrap().num_rows();
        assert_eq!(report["loaded"][&name], rows, "{name}: {report}");
    }
    assert_eq!(report["loaded"]["results"], 1);
}

/// TensorBoard's own event reader reads back every scalar and text we write, with the values
/// and the step.
#[test]
fn tensorboard_reads_every_scalar_and_text_we_write() {
    let Some(py) = interop_python() else { return };
    let results_path =
        fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json");
    let results = store::read_results(&results_path).unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let options = tensorboard::TensorboardOptions {
        step: 7,
        ..Default::default()
    };
    let path = tensorboard::write_tensorboard(out_dir.path(), &results, &options, 1_700_000_000.5)
        .unwrap();
    assert!(path.starts_with(out_dir.path().join("tb/eval")));
    let script = r#"
import sys, json
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util
acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "tensors": 0})
acc.Reload()
tags = acc.Tags()
# NaN as null, so the answer is strict JSON.
scalars = {t: [(e.step, None if e.value != e.value else e.value) for e in acc.Scalars(t)] for t in tags["scalars"]}
texts = {}
for t in tags["tensors"]:
    events = acc.Tensors(t)
    texts[t] = [(e.step, tensor_util.make_ndarray(e.tensor_proto).tolist()[0].decode()) for e in events]
print(json.dumps({"scalars": scalars, "texts": texts}))
"#;
    let out = python_env(
        &py,
        script,
        &[path.parent().unwrap().to_str().unwrap()],
        &[],
    );
    let read: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let mut scalars = 0;
    for logged in tensorboard::tensorboard_values(&results, "eval") {
        match logged {
            tensorboard::Logged::Scalar { tag, value } => {
                let events = read["scalars"][&tag]
                    .as_array()
                    .unwrap_or_else(|| panic!("{tag} missing"));
                assert_eq!(events.len(), 1, "{tag}");
                assert_eq!(events[0][0], 7);
                match events[0][1].as_f64() {
                    Some(got) => assert_eq!(got as f32, value as f32, "{tag}"),
                    None => assert!(value.is_nan(), "{tag}: {value} read back as NaN"),
                }
                scalars += 1;
            }
            tensorboard::Logged::Text { tag, text } => {
                let events = &read["texts"][format!("{tag}/text_summary")];
                assert_eq!(events[0][0], 7, "{tag}");
                assert_eq!(events[0][1], text.as_str(), "{tag}");
            }
        }
    }
    assert!(scalars > 10, "{scalars}");
    // What lighteval's push_to_tensorboard names them, with the file's numbers (quiz:geo|0's acc
    // is 0.375 ± 0.125), and nothing else read back.
    assert_eq!(
        read["scalars"]["eval_quiz/quiz:geo|0/acc"],
        serde_json::json!([[7, 0.375]])
    );
    assert_eq!(
        read["scalars"]["stderr_eval/quiz:geo|0/acc_stderr"],
        serde_json::json!([[7, 0.125]])
    );
    assert_eq!(
        read["scalars"].as_object().unwrap().len(),
        scalars,
        "no scalar beyond the ones logged"
    );
}

/// Trackio imports our fragment and reads back the run's metrics and config.
#[test]
fn trackio_imports_our_fragment() {
    let Some(py) = interop_python() else { return };
    let results_path =
        fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json");
    let results = store::read_results(&results_path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The same run logged twice is imported once.
    let mut logged = Vec::new();
    for _ in 0..2 {
        logged.push(
            trackio::log_to_trackio(
                dir.path(),
                "evaldeck-test",
                "model-a",
                "2026-11-23T21-40-51.814529",
                &results,
                0,
            )
            .unwrap(),
        );
    }
    let logged = &logged[0];
    assert!(logged.metrics > 5);
    let script = r#"
import sys, json
from trackio import fragments
from trackio.sqlite_storage import SQLiteStorage
fragments.import_inbox_dir()
project = sys.argv[1]
runs = [r["name"] for r in SQLiteStorage.get_run_records(project)]
logs = SQLiteStorage.get_logs(project, runs[0])
def plain(v):
    # NaN back in Trackio's own spelling, so the answer is strict JSON.
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v
print(json.dumps(plain({"runs": runs, "logs": logs, "config": SQLiteStorage.get_run_config(project, runs[0])}), default=str))
"#;
    let out = python_env(
        &py,
        script,
        &["evaldeck-test"],
        &[("TRACKIO_DIR", dir.path().to_str().unwrap())],
    );
    let read: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(read["runs"], serde_json::json!(["model-a"]));
    let logs = read["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{read}");
    let expected = trackio::trackio_metrics(&results);
    for (name, value) in &expected {
        match value {
            evaldeck::model::Json::Str(text) => assert_eq!(logs[0][name], text.as_str(), "{name}"),
            number => assert_eq!(logs[0][name].as_f64(), number.as_f64(), "{name}"),
        }
    }
    assert_eq!(read["config"]["model_name"], "model-a");
    // lighteval's `task/metric` keys with `:` as `/`, and the file's number.
    assert_eq!(logs[0]["quiz/geo|0/acc"].as_f64(), Some(0.375));
}
