//! Pushing to the Hub, against the local Hub-compatible server in `tests/hub_server` (the same
//! server the interop tests check with Python's `huggingface_hub`).

use std::time::Duration;

use crate::hub_server::HubServer;
use crate::support::fixture;
use evaldeck::hub::{HubClient, HubEndpoint, HubError, Repo, Token};
use evaldeck::publish::{self, PublishError, PushProgress, plan_push, push_to_hub};
use evaldeck::store;

const TOKEN: &str = "hf_test_token_5b9e1c";

fn client(server: &HubServer, token: Option<&str>) -> HubClient {
    let mut endpoint = HubEndpoint::new(&server.url, token.and_then(Token::new));
    endpoint.retry.first_delay = Duration::from_millis(10);
    endpoint.cache_dir = Some(tempfile::tempdir().unwrap().keep());
    HubClient::new(endpoint).unwrap()
}

fn fixture_run(date: &str) -> store::Run {
    let catalog = store::discover(&fixture("lighteval-0.13")).unwrap();
    catalog
        .runs()
        .find(|r| r.model == "model-a" && r.date_id == date)
        .unwrap()
        .clone()
}

const FIRST: &str = "2026-11-23T21-40-51.814529";
const SECOND: &str = "2026-11-23T21-41-33.518746";

#[test]
fn a_push_commits_the_run_with_parquet_as_lfs_and_a_card() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    let run = fixture_run(FIRST);
    let plan = plan_push("evals", false, &run).unwrap();
    assert_eq!(plan.repo_id, "evals/details_model-a_private");
    let mut events = Vec::new();
    let report = push_to_hub(&client, &plan, &mut |p| events.push(p)).unwrap();
    assert!(report.created);
    assert_eq!(report.transfer, evaldeck::hub::Transfer::Basic);
    assert_eq!(
        report.repo_url,
        format!("{}/datasets/evals/details_model-a_private", server.url)
    );
    assert!(events.contains(&PushProgress::CreatedRepo));

    let repo = server.repo(&plan.repo_id).unwrap();
    assert!(repo.private);
    assert_eq!(
        repo.commits.len(),
        2,
        "creation, then one commit for the whole run"
    );
    for (task, path) in &run.details {
        let stored = &repo.files[&format!("{FIRST}/details_{task}_{FIRST}.parquet")];
        assert_eq!(stored.content, std::fs::read(path).unwrap());
        assert!(
            stored.lfs_oid.is_some(),
            "{task}: Parquet must travel as LFS"
        );
    }
    let results = &repo.files[&format!("results_{FIRST}.json")];
    assert_eq!(
        results.content,
        std::fs::read(run.results_path.as_ref().unwrap()).unwrap()
    );
    assert!(
        repo.files[&format!("results_{FIRST}.parquet")]
            .lfs_oid
            .is_some()
    );
    let card = String::from_utf8(repo.files["README.md"].content.clone()).unwrap();
    assert!(card.contains("- config_name: \"quiz_geo_0\""), "{card}");
    assert!(card.contains("- config_name: \"results\""));
    assert!(
        card.contains("- config_name: \"quiz_0\""),
        "the suite's aggregated config"
    );
    assert!(card.contains("## Latest results"));
}

#[test]
fn a_second_run_adds_splits_and_moves_latest() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    for date in [SECOND, FIRST] {
        let plan = plan_push("evals", true, &fixture_run(date)).unwrap();
        let report = push_to_hub(&client, &plan, &mut |_| {}).unwrap();
        assert_eq!(report.created, date == SECOND);
    }
    let repo = server.repo("evals/details_model-a").unwrap();
    assert!(!repo.private);
    let card = String::from_utf8(repo.files["README.md"].content.clone()).unwrap();
    // The card the server holds, read as text: both runs' splits and `latest` on the newest.
    let results_config = format!(
        "- config_name: \"results\"\n  data_files:\n\
         \x20 - split: \"2026_11_23T21_40_51.814529\"\n    path:\n    - \"results_{FIRST}.parquet\"\n\
         \x20 - split: \"2026_11_23T21_41_33.518746\"\n    path:\n    - \"results_{SECOND}.parquet\"\n\
         \x20 - split: \"latest\"\n    path:\n    - \"results_{SECOND}.parquet\"\n"
    );
    assert!(card.contains(&results_config), "{card}");
    // The older run was pushed last, yet the card shows the newest run's results.
    assert!(
        card.contains("latest results from run 2026-11-23T21:41:33.518746"),
        "{card}"
    );
}

#[test]
fn downloads_come_back_equal_and_work_offline_from_the_cache() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    let run = fixture_run(FIRST);
    push_to_hub(
        &client,
        &plan_push("evals", true, &run).unwrap(),
        &mut |_| {},
    )
    .unwrap();
    let (task, path) = &run.details[0];
    let in_repo = format!("{FIRST}/details_{task}_{FIRST}.parquet");
    let local = client
        .download(
            &Repo::dataset("evals/details_model-a"),
            None,
            &in_repo,
            false,
        )
        .unwrap();
    assert_eq!(std::fs::read(&local).unwrap(), std::fs::read(path).unwrap());
    drop(server);
    let again = client
        .download(
            &Repo::dataset("evals/details_model-a"),
            None,
            &in_repo,
            true,
        )
        .unwrap();
    assert_eq!(std::fs::read(again).unwrap(), std::fs::read(path).unwrap());
}

#[test]
fn without_a_token_nothing_is_sent() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, None);
    let plan = plan_push("evals", false, &fixture_run(FIRST)).unwrap();
    let error = push_to_hub(&client, &plan, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, PublishError::Hub(HubError::MissingToken)),
        "{error}"
    );
    assert!(error.to_string().contains("HF_TOKEN"));
    assert!(server.log().is_empty(), "{:?}", server.log());
}

#[test]
fn a_rejected_token_is_named_as_such_and_never_shown() {
    let server = HubServer::start(TOKEN);
    let secret = "hf_wrong_secret_0xdeadbeef";
    let client = client(&server, Some(secret));
    let plan = plan_push("evals", false, &fixture_run(FIRST)).unwrap();
    let error = push_to_hub(&client, &plan, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, PublishError::Hub(HubError::Unauthorized { .. })),
        "{error}"
    );
    let text = format!("{error} {error:?} {client:?}", client = client.endpoint());
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("401"), "{text}");
}

#[test]
fn a_namespace_without_write_access_is_forbidden() {
    let server = HubServer::start(TOKEN);
    server.forbid_org("someone-else");
    let client = client(&server, Some(TOKEN));
    let plan = plan_push("someone-else", false, &fixture_run(FIRST)).unwrap();
    let error = push_to_hub(&client, &plan, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, PublishError::Hub(HubError::Forbidden { .. })),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("someone-else/details_model-a_private"),
        "{error}"
    );
}

#[test]
fn transient_server_errors_are_retried() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    server.fail_next(503, 2);
    let plan = plan_push("evals", false, &fixture_run(FIRST)).unwrap();
    push_to_hub(&client, &plan, &mut |_| {}).unwrap();
    assert!(
        server
            .repo(&plan.repo_id)
            .unwrap()
            .files
            .contains_key("README.md")
    );
}

#[test]
fn a_server_that_keeps_failing_gives_up_with_a_clear_message() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    server.fail_next(502, 1000);
    let plan = plan_push("evals", false, &fixture_run(FIRST)).unwrap();
    let error = push_to_hub(&client, &plan, &mut |_| {}).unwrap_err();
    assert!(
        matches!(
            error,
            PublishError::Hub(HubError::Server { status: 502, .. })
        ),
        "{error}"
    );
}

#[test]
fn an_unreachable_hub_is_a_network_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut endpoint = HubEndpoint::new(format!("http://127.0.0.1:{port}"), Token::new(TOKEN));
    endpoint.retry.first_delay = Duration::from_millis(5);
    let client = HubClient::new(endpoint).unwrap();
    let plan = plan_push("evals", false, &fixture_run(FIRST)).unwrap();
    let error = push_to_hub(&client, &plan, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, PublishError::Hub(HubError::Network { .. })),
        "{error}"
    );
    assert!(
        error.to_string().contains("could not reach the Hub"),
        "{error}"
    );
}

#[test]
fn a_bad_org_is_refused_before_any_request() {
    let run = fixture_run(FIRST);
    for org in ["", "../x", "a b", "-lead"] {
        assert!(plan_push(org, false, &run).is_err(), "{org:?}");
    }
}

#[test]
fn push_results_and_push_details_to_hub_work() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    let run = fixture_run(FIRST);
    let results_path = run.results_path.clone().unwrap();
    let repo = publish::push_results_to_hub(
        &client,
        Some("evals"),
        "summaries",
        "runs/model-a.json",
        &results_path,
        true,
    )
    .unwrap();
    assert_eq!(repo, "evals/summaries");
    let (_, paths) = publish::push_details_to_hub(
        &client,
        None,
        "evals/summaries",
        "details/{task_name}.jsonl",
        &run,
        true,
    )
    .unwrap();
    let stored = server.repo("evals/summaries").unwrap();
    assert_eq!(
        stored.files["runs/model-a.json"].content,
        std::fs::read(&results_path).unwrap()
    );
    assert_eq!(paths.len(), run.details.len());
    for ((task, path), in_repo) in run.details.iter().zip(&paths) {
        assert_eq!(in_repo, &format!("details/{task}.jsonl"));
        let text = String::from_utf8(stored.files[in_repo].content.clone()).unwrap();
        let rows = store::DetailsFile::open(path).unwrap().num_rows();
        assert_eq!(text.lines().count() as u64, rows);
        for line in text.lines() {
            assert!(
                serde_json::from_str::<serde_json::Value>(line).is_ok(),
                "{line}"
            );
        }
    }
}

/// `hf://datasets/ORG/REPO` opens like a folder: results at once, a task's details when opened,
/// and the cached copy when the Hub is gone.
#[test]
fn a_hub_repo_opens_as_a_source_lazily_and_offline() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    let first = fixture_run(FIRST);
    let second = fixture_run(SECOND);
    for run in [&first, &second] {
        push_to_hub(
            &client,
            &plan_push("evals", true, run).unwrap(),
            &mut |_| {},
        )
        .unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let url = server.url.clone();
    let endpoint = || {
        let mut endpoint = HubEndpoint::new(&url, Token::new(TOKEN));
        endpoint.retry.first_delay = Duration::from_millis(5);
        endpoint.cache_dir = Some(cache.path().to_owned());
        endpoint
    };
    let opened = evaldeck::source::open(
        &"hf://datasets/evals/details_model-a".parse().unwrap(),
        endpoint(),
    )
    .unwrap();
    assert!(!opened.offline);
    let runs: Vec<&store::Run> = opened.catalog.runs().collect();
    assert_eq!(runs.len(), 2);
    let run = runs.iter().find(|r| r.date_id == FIRST).unwrap();
    assert_eq!(
        run.model, "model-a",
        "the model name comes from the results file"
    );
    assert_eq!(run.details.len(), first.details.len());
    assert!(run.results_path.as_ref().unwrap().exists());
    assert!(
        run.details.iter().all(|(_, p)| !p.exists()),
        "no details fetched before they are opened"
    );
    let downloads_before = server
        .log()
        .iter()
        .filter(|l| l.contains("/resolve/"))
        .count();
    let (task, local) = &first.details[1];
    let remote = run.open_details(task).unwrap();
    assert_eq!(
        remote.num_rows(),
        store::DetailsFile::open(local).unwrap().num_rows()
    );
    let downloads_after = server
        .log()
        .iter()
        .filter(|l| l.contains("/resolve/"))
        .count();
    assert!(downloads_after > downloads_before);
    assert!(remote.is_remote(), "read by range where it is");
    assert_eq!(
        run.details.iter().filter(|(_, p)| p.exists()).count(),
        0,
        "by range, nothing is downloaded whole"
    );
    // Copying (like pushing) needs whole files: those are downloaded into the cache.
    run.fetch_all_details().unwrap();
    assert!(run.details.iter().all(|(_, p)| p.exists()));

    drop(server);
    let offline = evaldeck::source::open(
        &"hf://datasets/evals/details_model-a".parse().unwrap(),
        endpoint(),
    )
    .unwrap();
    assert!(offline.offline);
    let run = offline.catalog.runs().find(|r| r.date_id == FIRST).unwrap();
    assert!(run.results_path.is_some());
    let file = run.open_details(task).unwrap();
    assert_eq!(file.num_rows(), remote.num_rows());
}

#[test]
fn a_missing_hub_repo_is_a_clear_error() {
    let server = HubServer::start(TOKEN);
    let mut endpoint = HubEndpoint::new(&server.url, Token::new(TOKEN));
    endpoint.cache_dir = Some(tempfile::tempdir().unwrap().keep());
    let error = evaldeck::source::open(
        &"hf://datasets/evals/nothing-here".parse().unwrap(),
        endpoint,
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            evaldeck::source::SourceError::Hub(HubError::NotFound { .. })
        ),
        "{error}"
    );
    assert!(error.to_string().contains("evals/nothing-here"), "{error}");
}

#[test]
fn a_conflict_is_named_as_such() {
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    server.fail_next(409, 1);
    let plan = plan_push("evals", false, &fixture_run(FIRST)).unwrap();
    let error = push_to_hub(&client, &plan, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, PublishError::Hub(HubError::Conflict { .. })),
        "{error}"
    );
    assert!(error.to_string().contains("409"), "{error}");
}

/// A Hub repo holding Inspect logs and an lm-eval run opens as the same files do on disk, and
/// offline from the cache.
#[test]
fn a_hub_repo_of_inspect_and_lm_eval_logs_opens_as_a_source() {
    use evaldeck::hub::{Content, Upload};
    let server = HubServer::start(TOKEN);
    let client = client(&server, Some(TOKEN));
    let repo = Repo::dataset("evals/logs");
    client.ensure_repo(&repo, true).unwrap();
    let mut uploads = Vec::new();
    for folder in ["inspect-0.3.285", "lm-eval-0.4.13/fixture-org__dummy-lm"] {
        for entry in std::fs::read_dir(fixture(folder)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if name.ends_with(".md") {
                continue;
            }
            uploads.push(Upload {
                path_in_repo: format!("{folder}/{name}"),
                content: Content::File(path),
            });
        }
    }
    client.commit(&repo, &uploads, "logs", &mut |_| {}).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let url = server.url.clone();
    let endpoint = || {
        let mut endpoint = HubEndpoint::new(&url, Token::new(TOKEN));
        endpoint.retry.first_delay = Duration::from_millis(5);
        endpoint.cache_dir = Some(cache.path().to_owned());
        endpoint
    };
    let source = &"hf://datasets/evals/logs".parse().unwrap();
    let count = |catalog: &store::Catalog, harness: store::Harness| {
        catalog.runs().filter(|r| r.harness == harness).count()
    };
    let opened = evaldeck::source::open(source, endpoint()).unwrap();
    assert!(!opened.offline);
    assert_eq!(count(&opened.catalog, store::Harness::Inspect), 5);
    assert_eq!(count(&opened.catalog, store::Harness::LmEval), 2);
    let run = opened
        .catalog
        .runs()
        .find(|r| r.harness == store::Harness::LmEval)
        .unwrap();
    assert_eq!(run.model, "fixture-org/dummy-lm");
    assert_eq!(run.open_details("toy_arith").unwrap().num_rows(), 16);

    drop(server);
    let offline = evaldeck::source::open(source, endpoint()).unwrap();
    assert!(offline.offline);
    assert_eq!(count(&offline.catalog, store::Harness::Inspect), 5);
    let inspect = offline
        .catalog
        .runs()
        .find(|r| r.details.iter().any(|(t, _)| t == "gen_qa"))
        .unwrap();
    assert_eq!(inspect.open_details("gen_qa").unwrap().num_rows(), 10);
}
