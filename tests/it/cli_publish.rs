//! Headless publishing end to end: `evaldeck SOURCE --save --push-to-hub …` against the local Hub
//! server, TensorBoard and Trackio output, exit codes, and the token kept out of everything.

use std::path::Path;

use crate::hub_server::HubServer;
use crate::support::{files_with_suffix, fixture};

const TOKEN: &str = "hf_cli_secret_9f2d41c7";

const TRACKING: &str = r#"{"type":"run","model_name":"org/tiny","job_id":"7"}
{"type":"task","name":"quiz:geo|0","version":1,"aggregations":{"acc":"mean"}}
{"task":"quiz:geo|0","doc":{"query":"Capital of France?","choices":["Paris","Rome"],"gold_index":0},"metric":{"acc":1}}
{"task":"quiz:geo|0","doc":{"query":"Capital of Italy?","choices":["Paris","Rome"],"gold_index":1},"metric":{"acc":0}}
"#;

/// Runs the binary with a clean Hugging Face environment under `home`.
fn evaldeck<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    home: &Path,
    env: &[(&str, &str)],
) -> std::process::Output {
    crate::support::evaldeck_command()
        .args(args)
        .env_remove("HF_TOKEN")
        .env_remove("HF_ENDPOINT")
        .env_remove("TRACKIO_PROJECT")
        .env_remove("WANDB_PROJECT")
        .env("HF_HOME", home.join("hf"))
        .env("TRACKIO_DIR", home.join("trackio"))
        .envs(env.iter().copied())
        .output()
        .expect("run evaldeck")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `INPUT --save --output-dir OUT_DIR` and then `more`.
fn save_args(input: &Path, out_dir: &Path, more: &[&str]) -> Vec<String> {
    let mut args = vec![
        input.display().to_string(),
        "--save".into(),
        "--output-dir".into(),
        out_dir.display().to_string(),
    ];
    args.extend(more.iter().map(|a| a.to_string()));
    args
}

fn tracking_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("samples.jsonl");
    std::fs::write(&path, TRACKING).unwrap();
    path
}

#[test]
fn save_then_push_to_hub() {
    let server = HubServer::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let input = tracking_file(dir.path());
    let out_dir = dir.path().join("out");
    let output = evaldeck(
        &save_args(
            &input,
            &out_dir,
            &[
                "--push-to-hub",
                "--results-org",
                "evals",
                "--push-to-tensorboard",
            ],
        ),
        dir.path(),
        &[("HF_TOKEN", TOKEN), ("HF_ENDPOINT", &server.url)],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "{}/datasets/evals/details_org__tiny_private",
            server.url
        )),
        "{stdout}"
    );
    let repo = server.repo("evals/details_org__tiny_private").unwrap();
    assert!(
        repo.files
            .keys()
            .any(|k| k.contains("/details_quiz:geo|0_"))
    );
    assert!(repo.files.contains_key("README.md"));
    // TensorBoard logs go to the private model repo {org}/tensorboard_logs, under tb/{run}/.
    let logs = server.model_repo("evals/tensorboard_logs").unwrap();
    assert!(logs.private);
    let event_file = logs
        .files
        .keys()
        .find(|k| k.starts_with("tb/eval/0000000_events.out.tfevents."));
    assert!(
        event_file.is_some(),
        "{:?}",
        logs.files.keys().collect::<Vec<_>>()
    );
    assert!(
        logs.files[event_file.unwrap()].lfs_oid.is_some(),
        "event files are binary: LFS"
    );
    assert!(
        stdout.contains(&format!("{}/evals/tensorboard_logs", server.url)),
        "{stdout}"
    );
}

#[test]
fn a_failed_push_keeps_the_saved_run_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = tracking_file(dir.path());
    let out_dir = dir.path().join("out");
    // No token anywhere: HF_HOME is empty.
    let output = evaldeck(
        &save_args(
            &input,
            &out_dir,
            &["--push-to-hub", "--results-org", "evals"],
        ),
        dir.path(),
        &[("HF_ENDPOINT", "http://127.0.0.1:9")],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no Hugging Face token"), "{stderr}");
    assert!(stderr.contains("saved"), "{stderr}");
    assert_eq!(
        files_with_suffix(&out_dir.join("results"), ".json").len(),
        1
    );
    assert_eq!(
        files_with_suffix(&out_dir.join("details"), ".parquet").len(),
        1
    );
}

#[test]
fn push_to_hub_needs_an_org() {
    let dir = tempfile::tempdir().unwrap();
    let input = tracking_file(dir.path());
    let output = evaldeck(
        &[input.to_str().unwrap(), "--save", "--push-to-hub"],
        dir.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--results-org"),
        "{}",
        text(&output.stderr)
    );
}

/// The token never reaches stdout, stderr, the saved files, TensorBoard or Trackio output, the
/// Hub cache, or the server's request log and bodies: not when the push succeeds, not when the
/// Hub rejects it.
#[test]
fn the_token_appears_nowhere() {
    let server = HubServer::start(TOKEN);
    server.forbid_org("locked");
    let dir = tempfile::tempdir().unwrap();
    let input = tracking_file(dir.path());
    let mut outputs = Vec::new();
    for (org, token) in [
        ("evals", TOKEN),
        ("locked", TOKEN),
        ("evals", "hf_wrong_token_deadbeef"),
    ] {
        let out_dir = dir.path().join(format!("out-{org}-{}", token.len()));
        let output = evaldeck(
            &save_args(
                &input,
                &out_dir,
                &[
                    "--push-to-hub",
                    "--results-org",
                    org,
                    "--push-to-tensorboard",
                    "--use-trackio",
                    "--trackio-project",
                    "secrets-check",
                ],
            ),
            dir.path(),
            &[
                ("HF_TOKEN", token),
                ("HF_ENDPOINT", &server.url),
                ("RUST_BACKTRACE", "1"),
            ],
        );
        outputs.push((org, token, output));
    }
    assert!(
        outputs[0].2.status.success(),
        "{}",
        text(&outputs[0].2.stderr)
    );
    assert_eq!(outputs[1].2.status.code(), Some(2));
    assert!(
        text(&outputs[1].2.stderr).contains("403"),
        "{}",
        text(&outputs[1].2.stderr)
    );
    assert_eq!(outputs[2].2.status.code(), Some(2));
    assert!(
        text(&outputs[2].2.stderr).contains("401"),
        "{}",
        text(&outputs[2].2.stderr)
    );
    for (_, token, output) in &outputs {
        for stream in [&output.stdout, &output.stderr] {
            assert!(!text(stream).contains(token), "{}", text(stream));
        }
    }
    // Every file written anywhere under the test folder: saved runs, TensorBoard, Trackio, cache.
    let mut files = 0;
    for path in files_with_suffix(dir.path(), "") {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let contents = String::from_utf8_lossy(&bytes);
        for (_, token, _) in &outputs {
            assert!(
                !contents.contains(token),
                "{} holds the token",
                path.display()
            );
        }
        files += 1;
    }
    assert!(files > 5, "{files}");
    let state = server.state.lock().unwrap();
    let bodies = String::from_utf8_lossy(&state.bodies_seen);
    assert!(!bodies.contains(TOKEN));
    assert!(state.log.iter().all(|line| !line.contains(TOKEN)));
}

#[test]
fn a_stored_run_goes_to_tensorboard_and_trackio_without_save() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("logs");
    let output = evaldeck(
        &[
            fixture("lighteval-0.13/results/model-a").to_str().unwrap(),
            "--output-dir",
            out_dir.to_str().unwrap(),
            "--push-to-tensorboard",
            "--use-trackio",
        ],
        dir.path(),
        &[("WANDB_PROJECT", "from-wandb-env")],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("project from-wandb-env, run model-a"),
        "{stdout}"
    );
    let events = files_with_suffix(&out_dir.join("tb/eval"), "");
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("0000000_events.out.tfevents.")
    );
    assert_eq!(
        files_with_suffix(&dir.path().join("trackio/inbox"), ".jsonl").len(),
        1
    );
}

#[test]
fn trackio_without_a_project_is_refused_before_tracking() {
    let dir = tempfile::tempdir().unwrap();
    let input = tracking_file(dir.path());
    let out_dir = dir.path().join("out");
    let output = evaldeck(
        &save_args(&input, &out_dir, &["--use-trackio"]),
        dir.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("TRACKIO_PROJECT"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        !out_dir.exists(),
        "nothing saved when the request was wrong from the start"
    );
}

/// `show` and `diff` take `hf://datasets/ORG/REPO` like a folder, and print what they print for
/// the same runs on disk.
#[test]
fn show_and_diff_read_a_hub_repo() {
    let server = HubServer::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let env = [("HF_TOKEN", TOKEN), ("HF_ENDPOINT", server.url.as_str())];
    let first = fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-40-51.814529.json");
    let last = fixture("lighteval-0.13/results/model-a/results_2026-11-23T21-41-33.518746.json");
    for results in [&first, &last] {
        let output = evaldeck(
            &[
                results.to_str().unwrap(),
                "--push-to-hub",
                "--results-org",
                "evals",
                "--public",
            ],
            dir.path(),
            &env,
        );
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let runs = last;
    let hub = "hf://datasets/evals/details_model-a";
    let from_hub = evaldeck(&["show", hub], dir.path(), &env);
    assert!(from_hub.status.success(), "{}", text(&from_hub.stderr));
    let local = evaldeck(&["show", runs.to_str().unwrap()], dir.path(), &env);
    // The same table, but for evaldeck's corpus scores (‡), which need the translate task's
    // details: `show` on the Hub reads the results file and does not download details for them.
    let hub_text = text(&from_hub.stdout);
    assert!(!hub_text.contains('‡'), "{hub_text}");
    let local_text = text(&local.stdout);
    let corrected: Vec<&str> = local_text
        .lines()
        .filter(|l| l.contains('‡'))
        .map(str::trim)
        .collect();
    assert_eq!(
        corrected.len(),
        3,
        "chrf_corpus, ter_corpus and the note: {corrected:?}"
    );
    let numbers = |t: &str| -> Vec<String> {
        t.lines()
            // The table's rule follows the widest value, which a ‡ line may be.
            .filter(|l| !l.contains('‡') && !l.starts_with("---"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(numbers(&hub_text), numbers(&local_text));
    let samples = evaldeck(
        &["samples", hub, "--task", "quiz:geo|0", "--format", "jsonl"],
        dir.path(),
        &env,
    );
    assert!(samples.status.success(), "{}", text(&samples.stderr));
    let local_samples = evaldeck(
        &[
            "samples",
            runs.to_str().unwrap(),
            "--task",
            "quiz:geo|0",
            "--format",
            "jsonl",
        ],
        dir.path(),
        &env,
    );
    assert_eq!(text(&samples.stdout), text(&local_samples.stdout));
    let diff_hub = evaldeck(
        &["diff", &format!("{hub}@first"), &format!("{hub}@last")],
        dir.path(),
        &env,
    );
    assert!(diff_hub.status.success(), "{}", text(&diff_hub.stderr));
    let diff_local = evaldeck(
        &["diff", first.to_str().unwrap(), runs.to_str().unwrap()],
        dir.path(),
        &env,
    );
    assert!(diff_local.status.success(), "{}", text(&diff_local.stderr));
    assert_eq!(text(&diff_hub.stdout), text(&diff_local.stdout));
    // The organisation is a source too: its newest run is the repo's newest.
    let org = evaldeck(&["show", "hf://datasets/evals"], dir.path(), &env);
    assert!(org.status.success(), "{}", text(&org.stderr));
    assert_eq!(numbers(&text(&org.stdout)), numbers(&hub_text));
    let bad = evaldeck(&["show", "hf://datasets/evals/a/b"], dir.path(), &env);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("ORG/REPO"),
        "{}",
        text(&bad.stderr)
    );
}
