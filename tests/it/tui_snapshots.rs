//! Every reachable TUI state, rendered into ratatui's TestBackend at 100×30 and 80×24 and compared
//! with its reviewed snapshot. States are reached by feeding messages to `update` and running the
//! commands it returns synchronously, never by sleeping.

use crate::hub_server;

use std::sync::atomic::AtomicBool;

use evaldeck::source::Source;
use evaldeck::tui::app::{App, Command, Message};
use evaldeck::tui::view::{Theme, render};
use evaldeck::tui::{self};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const SIZES: [(u16, u16); 3] = [(100, 30), (80, 24), (60, 20)];

/// Carries out a command and feeds back what it reports, until nothing is left to do.
fn run(app: &mut App, command: Command) {
    let mut pending = vec![command];
    while let Some(command) = pending.pop() {
        let mut messages = Vec::new();
        tui::execute(command, &AtomicBool::new(false), &mut |m| messages.push(m));
        for message in messages {
            pending.push(app.update(message));
        }
    }
}

/// An app on `source` (relative to the crate, so snapshots do not depend on the checkout path),
/// with its runs loaded.
fn open(source: Option<&str>, size: (u16, u16)) -> App {
    let (mut app, command) = App::new(source.map_or(Source::SampleRun, Source::local), size);
    run(&mut app, command);
    app
}

fn press(app: &mut App, keys: &[KeyCode]) {
    for code in keys {
        let command = app.update(Message::Key(KeyEvent::new(*code, KeyModifiers::NONE)));
        run(app, command);
    }
}

fn typed(app: &mut App, text: &str) {
    press(app, &text.chars().map(KeyCode::Char).collect::<Vec<_>>());
}

fn screen(app: &App) -> String {
    let (width, height) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(app, Theme { color: false }, frame))
        .unwrap();
    format!("{}", terminal.backend())
}

/// Snapshots the state that `reach` builds, at both sizes.
fn snapshot(name: &str, source: Option<&str>, reach: impl Fn(&mut App)) {
    for size in SIZES {
        let mut app = open(source, size);
        reach(&mut app);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen(&app));
    }
}

const RUNS_013: &str = "tests/fixtures/lighteval-0.13";
use KeyCode::{Char, Down, Enter, Esc};

#[test]
fn runs_of_the_sample_run() {
    snapshot("runs_sample", None, |_| {});
}

#[test]
fn runs_loading() {
    for size in SIZES {
        let (app, _) = App::new(Source::local(RUNS_013), size);
        insta::assert_snapshot!(format!("runs_loading_{}x{}", size.0, size.1), screen(&app));
    }
}

#[test]
fn runs_failed_on_an_empty_folder() {
    snapshot(
        "runs_failed_no_runs",
        Some("tests/fixtures/bad/no_runs_here"),
        |_| {},
    );
}

#[test]
fn runs_two_marked_for_a_diff() {
    snapshot("runs_two_marked", Some(RUNS_013), |app| {
        press(app, &[Char(' '), Down, Char(' ')])
    });
}

#[test]
fn results_of_the_newest_lighteval_run() {
    // The newest run of the sample is its agent log; the newest lighteval run is the next.
    snapshot("results_sample", None, |app| press(app, &[Down, Enter]));
}

#[test]
fn results_with_a_nan_metric_and_legacy_keys() {
    // model-a's first run has summ|0, whose len_ratio is NaN; the 0.10 run has suite-prefixed keys.
    snapshot("results_nan_metric", Some(RUNS_013), |app| {
        press(app, &[Char('G'), Enter, Char('G')])
    });
    snapshot(
        "results_lighteval_0_10",
        Some("tests/fixtures/lighteval-0.10.0"),
        |app| press(app, &[Enter]),
    );
}

#[test]
fn results_config_panel() {
    snapshot("results_config_panel", Some(RUNS_013), |app| {
        press(app, &[Enter, Down, Down, Char('\t'), KeyCode::Tab])
    });
}

#[test]
fn results_sorted_by_value() {
    snapshot("results_sorted_by_task", Some(RUNS_013), |app| {
        press(app, &[Enter, Char('s')])
    });
    snapshot("results_sorted_by_value", Some(RUNS_013), |app| {
        press(app, &[Enter, Char('s'), Char('s')])
    });
}

#[test]
fn results_suite_folded() {
    snapshot("results_suite_folded", Some(RUNS_013), |app| {
        press(app, &[Enter, Char('z')])
    });
}

#[test]
fn results_filtered_with_no_match() {
    snapshot("results_filter_no_match", Some(RUNS_013), |app| {
        press(app, &[Enter, Char('f')]);
        typed(app, "zzz");
        press(app, &[Enter]);
    });
}

#[test]
fn results_failed_to_load() {
    snapshot(
        "results_failed_truncated_json",
        Some("tests/fixtures/bad/truncated_results.json"),
        |app| press(app, &[Enter]),
    );
}

#[test]
fn samples_loading() {
    for size in SIZES {
        let mut app = open(Some(RUNS_013), size);
        press(&mut app, &[Enter]);
        // Ask for the samples but leave the load unanswered except for one progress report.
        let command = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
        let Command::LoadSamples { generation, .. } = command else {
            panic!("expected a load, got {command:?}")
        };
        app.update(Message::SamplesProgress {
            generation,
            done: 4,
            total: 12,
        });
        insta::assert_snapshot!(
            format!("samples_loading_{}x{}", size.0, size.1),
            screen(&app)
        );
    }
}

#[test]
fn samples_of_a_loglikelihood_task() {
    // org-b's quiz:sci|0 is the first results row.
    snapshot("samples_loglikelihood", Some(RUNS_013), |app| {
        press(app, &[Enter, Enter])
    });
}

#[test]
fn samples_of_a_generative_task() {
    snapshot("samples_generative", Some(RUNS_013), |app| {
        press(
            app,
            &[
                Enter, Down, Down, Down, Down, Down, Down, Down, Down, Down, Down, Down, Enter,
            ],
        )
    });
}

#[test]
fn samples_wrong_only_sorted_and_filtered() {
    let phrase = |app: &mut App| {
        press(app, &[Enter, Char('f')]);
        typed(app, "phrase");
        press(app, &[Enter, Enter]);
    };
    snapshot("samples_wrong_only", Some(RUNS_013), |app| {
        phrase(app);
        press(app, &[Char('w')]);
    });
    snapshot("samples_sorted_by_metric", Some(RUNS_013), |app| {
        phrase(app);
        press(app, &[Char('s'), Char('s'), Char('s')]);
    });
    snapshot("samples_filter_no_match", Some(RUNS_013), |app| {
        phrase(app);
        press(app, &[Char('f')]);
        typed(app, "no such text");
        press(app, &[Enter]);
    });
    snapshot("samples_search_found", Some(RUNS_013), |app| {
        phrase(app);
        press(app, &[Char('/')]);
        typed(app, "straße");
        press(app, &[Enter]);
    });
    snapshot("samples_frequency_of_golds", Some(RUNS_013), |app| {
        phrase(app);
        press(app, &[Char('F'), Char('s')]);
    });
}

#[test]
fn sample_views() {
    let open_task = |app: &mut App, task: &str| {
        press(app, &[Enter, Char('f')]);
        typed(app, task);
        press(app, &[Enter, Enter]);
    };
    snapshot(
        "sample_loglikelihood_unicode_query",
        Some(RUNS_013),
        |app| {
            open_task(app, "lang");
            press(app, &[Down, Enter]);
        },
    );
    snapshot(
        "sample_long_multiline_query_wrapped",
        Some(RUNS_013),
        |app| {
            open_task(app, "summ");
            press(app, &[Enter]);
        },
    );
    snapshot("sample_generative_fewshot", Some(RUNS_013), |app| {
        open_task(app, "phrase");
        press(app, &[Enter, Char(']'), Char(']')]);
    });
    snapshot("sample_raw_json", Some(RUNS_013), |app| {
        open_task(app, "yesno");
        press(app, &[Enter, Char('r')]);
    });
    snapshot(
        "sample_legacy_flat_details",
        Some("tests/fixtures/lighteval-0.10.0"),
        |app| {
            open_task(app, "translate");
            press(app, &[Enter]);
        },
    );
}

#[test]
fn help_overlay() {
    snapshot("help_overlay", Some(RUNS_013), |app| {
        press(app, &[Enter, Char('?')])
    });
}

#[test]
fn a_narrow_terminal() {
    for (name, keys) in [
        ("narrow_runs", vec![]),
        ("narrow_samples", vec![Enter, Enter]),
        ("narrow_sample", vec![Enter, Enter, Enter]),
    ] {
        let mut app = open(Some(RUNS_013), (50, 16));
        press(&mut app, &keys);
        insta::assert_snapshot!(name, screen(&app));
    }
}

#[test]
fn esc_walks_back_and_q_quits_from_anywhere() {
    let mut app = open(Some(RUNS_013), (100, 30));
    press(&mut app, &[Enter, Enter, Enter]);
    assert_eq!(app.screen(), evaldeck::tui::app::Screen::Sample);
    press(&mut app, &[Char('?')]);
    press(&mut app, &[Esc]);
    assert!(
        !app.help && app.screen() == evaldeck::tui::app::Screen::Sample,
        "Esc closes the overlay first"
    );
    press(&mut app, &[Esc, Esc]);
    assert_eq!(app.screen(), evaldeck::tui::app::Screen::Results);
    press(&mut app, &[Char('q')]);
    assert!(app.quit);
}

#[test]
fn a_stale_answer_is_dropped() {
    let mut app = open(Some(RUNS_013), (100, 30));
    press(&mut app, &[Enter]);
    let old = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
    press(&mut app, &[Esc, Down, Down]);
    let new = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
    // The newer request's answer arrives first, then the old one: the old one must not win.
    run(&mut app, new);
    let task = app.samples().unwrap().task.clone();
    // The two requests are for different tasks, or the check below could not fail.
    assert!(
        matches!(&old, Command::LoadSamples { task: old_task, .. } if *old_task != task),
        "{old:?} vs {task}"
    );
    run(&mut app, old);
    assert_eq!(app.samples().unwrap().task, task);
}

#[test]
fn diff_screens() {
    // Runs are listed newest first: org-b (0), model-a second run (1), model-a first run (2).
    snapshot("diff_versions_of_model_a", Some(RUNS_013), |app| {
        press(app, &[Down, Char('d')])
    });
    snapshot("diff_two_marked_runs", Some(RUNS_013), |app| {
        press(
            app,
            &[Down, Down, Char(' '), Char('g'), Char(' '), Char('d')],
        )
    });
    snapshot("diff_flips_of_a_task", Some(RUNS_013), |app| {
        press(app, &[Down, Char('d'), Down, Down, Down, Down, Enter])
    });
    snapshot("diff_flip_side_by_side", Some(RUNS_013), |app| {
        press(
            app,
            &[Down, Char('d'), Down, Down, Down, Down, Enter, Enter],
        )
    });
    snapshot("diff_no_earlier_run", Some(RUNS_013), |app| {
        press(app, &[Char('d')])
    });
}

mod save_and_push {
    use super::*;
    use evaldeck::hub::{HubEndpoint, Token};

    const TOKEN: &str = "hf_tui_token_31c4";

    fn with_token(app: &mut App) {
        app.hub = HubEndpoint::new("https://hub.example", Token::new(TOKEN));
    }

    #[test]
    fn save_dialog() {
        snapshot("save_dialog", Some(RUNS_013), |app| {
            press(app, &[Down, Char('S')]);
            press(app, &[KeyCode::Backspace; 7]);
            typed(app, "saved-runs");
        });
        snapshot("save_dialog_empty_folder", Some(RUNS_013), |app| {
            press(app, &[Enter, Char('S')]);
            press(app, &[KeyCode::Backspace; 7]);
            press(app, &[Enter]);
        });
    }

    #[test]
    fn push_dialog_states() {
        snapshot("push_dialog_no_token", Some(RUNS_013), |app| {
            press(app, &[Down, Enter, Char('P')]);
            typed(app, "evals");
            press(app, &[Enter]);
        });
        snapshot("push_dialog_public", Some(RUNS_013), |app| {
            with_token(app);
            press(app, &[Down, Char('P')]);
            typed(app, "evals");
            press(app, &[KeyCode::Tab, Char(' ')]);
        });
        snapshot("push_dialog_bad_org", Some(RUNS_013), |app| {
            with_token(app);
            press(app, &[Down, Char('P')]);
            typed(app, "../x");
            press(app, &[Enter]);
        });
    }

    /// Submitting starts a background push; the status line shows its progress, then its failure.
    #[test]
    fn push_progress_and_failure() {
        for (name, done) in [("push_progress", false), ("push_failed", true)] {
            snapshot(name, Some(RUNS_013), |app| {
                with_token(app);
                press(app, &[Down, Char('P')]);
                typed(app, "evals");
                let command = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
                assert!(
                    matches!(command, Command::PushRun { ref org, public: false, .. } if org == "evals")
                );
                let generation = app.job.as_ref().unwrap().generation;
                app.update(Message::JobProgress {
                    generation,
                    // The words the event loop sends for this event.
                    text: evaldeck::text::publish_event(&evaldeck::publish::PublishEvent::Hub(
                        evaldeck::publish::PushProgress::Commit(
                            evaldeck::hub::CommitProgress::Uploaded {
                                path: "2026-11-23T21-41-33.518746/details_quiz:geo|0_2026-11-23T21-41-33.518746.parquet".into(),
                                bytes_done: 400_000,
                                bytes_total: 1_000_000,
                            },
                        ),
                    )),
                });
                if done {
                    app.update(Message::JobDone {
                        generation,
                        result: Err(evaldeck::tui::data::JobError::Push(std::sync::Arc::new(
                            evaldeck::hub::HubError::Server {
                                what: "creating the repo".into(),
                                repo: "evals/details_model-a_private".into(),
                                status: 503,
                                detail: String::new(),
                                attempts: 4,
                            }
                            .into(),
                        ))),
                    });
                }
            });
        }
    }

    #[test]
    fn a_second_dialog_waits_for_the_running_job() {
        let mut app = open(Some(RUNS_013), (100, 30));
        with_token(&mut app);
        press(&mut app, &[Char('P')]);
        typed(&mut app, "evals");
        let command = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
        assert!(matches!(command, Command::PushRun { .. }));
        press(&mut app, &[Char('S')]);
        assert!(app.dialog.is_none());
        assert!(app.status.as_ref().unwrap().text.contains("still running"));
        // Keys still move the list while the push runs.
        press(&mut app, &[Down]);
        assert_eq!(app.runs.cursor.selected, 1);
    }

    #[test]
    fn save_copies_the_run_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = open(Some(RUNS_013), (100, 30));
        press(&mut app, &[Down, Enter, Char('S')]);
        press(&mut app, &[KeyCode::Backspace; 7]);
        typed(&mut app, dir.path().to_str().unwrap());
        press(&mut app, &[Enter]);
        let status = app.status.clone().unwrap();
        assert!(!status.error, "{status:?}");
        let results = dir
            .path()
            .join("results/model-a/results_2026-11-23T21-41-33.518746.json");
        assert!(
            status.text.contains(&results.display().to_string()),
            "{status:?}"
        );
        let source = std::path::Path::new(RUNS_013)
            .join("results/model-a/results_2026-11-23T21-41-33.518746.json");
        assert_eq!(
            std::fs::read(&results).unwrap(),
            std::fs::read(source).unwrap()
        );
        let details = dir
            .path()
            .join("details/model-a/2026-11-23T21-41-33.518746");
        assert!(std::fs::read_dir(details).unwrap().count() >= 5);
        // Again: refused, the first copy intact.
        press(&mut app, &[Char('S')]);
        press(&mut app, &[KeyCode::Backspace; 7]);
        typed(&mut app, dir.path().to_str().unwrap());
        press(&mut app, &[Enter]);
        let status = app.status.clone().unwrap();
        assert!(
            status.error && status.text.contains("never overwritten"),
            "{status:?}"
        );
    }
}

/// `P` on a run pushes it for real (to the local Hub server) and ends with the repo's URL.
#[test]
fn push_through_the_tui_reaches_the_hub() {
    let server = hub_server::HubServer::start("hf_tui_push_token");
    let mut app = open(Some(RUNS_013), (100, 30));
    let mut endpoint = evaldeck::hub::HubEndpoint::new(
        &server.url,
        evaldeck::hub::Token::new("hf_tui_push_token"),
    );
    endpoint.cache_dir = Some(tempfile::tempdir().unwrap().keep());
    app.hub = endpoint;
    press(&mut app, &[Down, Enter, Char('P')]);
    typed(&mut app, "evals");
    press(&mut app, &[KeyCode::Tab, Char(' '), Enter]);
    assert!(app.job.is_none());
    let status = app.status.clone().unwrap();
    assert!(!status.error, "{status:?}");
    assert_eq!(
        status.text,
        format!("pushed to {}/datasets/evals/details_model-a", server.url)
    );
    let repo = server.repo("evals/details_model-a").unwrap();
    assert!(!repo.private);
    assert!(repo.files.contains_key("README.md"));
}

/// The Results screen shows lighteval's rows at once, its translation rows marked †; evaldeck's
/// corpus scores (‡), which read the task's details, arrive in a second message.
#[test]
fn results_before_and_after_the_corpus_scores() {
    let mut app = open(Some(RUNS_013), (100, 30));
    let command = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
    let mut messages = Vec::new();
    tui::execute(command, &AtomicBool::new(false), &mut |m| messages.push(m));
    assert_eq!(messages.len(), 2, "results, then corpus scores");
    let scores = messages.pop().unwrap();
    assert!(matches!(scores, Message::CorpusScoresLoaded { .. }));
    app.update(messages.pop().unwrap());
    let before = screen(&app);
    assert!(
        before.contains("† chrf") && !before.contains('‡'),
        "{before}"
    );
    app.update(scores);
    insta::assert_snapshot!("results_with_corpus_scores_100x30", screen(&app));
}

/// `evaldeck SOURCE --model M --run R` opens that run's results once the runs are loaded, with
/// the Runs cursor on it for when the user goes back.
#[test]
fn the_tui_opens_the_run_named_on_the_command_line() {
    let (mut app, command) = App::new(Source::local(RUNS_013), (100, 30));
    app.start_at = Some(evaldeck::tui::app::StartAt {
        model: "model-a".into(),
        date_id: "2026-11-23T21-40-51.814529".into(),
    });
    run(&mut app, command);
    let title = app.results().map(|r| r.title.clone());
    assert_eq!(
        title.as_deref(),
        Some("model-a @ 2026-11-23T21-40-51.814529")
    );
    assert!(screen(&app).contains("summ|0"));
    let evaldeck::tui::app::Loadable::Ready(runs) = &app.runs.data else {
        panic!("runs are loaded")
    };
    let selected = &runs.runs[app.runs.cursor.selected].0;
    assert_eq!(
        (selected.model.as_str(), selected.date_id.as_str()),
        ("model-a", "2026-11-23T21-40-51.814529")
    );
    // A run that is not there says so, on the Runs screen.
    let (mut app, command) = App::new(Source::local(RUNS_013), (100, 30));
    app.start_at = Some(evaldeck::tui::app::StartAt {
        model: "model-a".into(),
        date_id: "1999-01-01T00-00-00".into(),
    });
    run(&mut app, command);
    assert!(app.results().is_none());
    assert!(screen(&app).contains("no run 1999-01-01T00-00-00 of model-a"));
}

/// After a resize, every cursor stays in its viewport: the Diff screen's, scrolled to its last
/// row, still shows that row when the terminal shrinks.
#[test]
fn a_resize_keeps_the_diff_cursor_on_screen() {
    let mut app = open(Some(RUNS_013), (100, 30));
    press(&mut app, &[Down, Char('d'), Char('G')]);
    assert!(screen(&app).contains("translate|0"), "{}", screen(&app));
    let command = app.update(Message::Resize {
        width: 80,
        height: 14,
    });
    run(&mut app, command);
    let shown = screen(&app);
    let cursor = app.diff().unwrap().cursor;
    // The stored cursor itself is rescrolled, not only the drawing.
    assert!(
        cursor.offset <= cursor.selected && cursor.selected < cursor.offset + app.list_height(),
        "{cursor:?} with {} rows",
        app.list_height()
    );
    assert!(
        shown.contains("ter "),
        "the last row stays visible:\n{shown}"
    );
}

const INSPECT_MC: &str =
    "tests/fixtures/inspect-0.3.285/2026-11-30T02-36-19-00-00_mc-quiz_RjFGiHzeHG8Qd9cSsZrDVV.eval";
const INSPECT_GEN: &str =
    "tests/fixtures/inspect-0.3.285/2026-11-30T02-36-21-00-00_gen-qa_ZRbM3p5k6KxSusMsqHW5yY.eval";
const INSPECT_FLAKY: &str = "tests/fixtures/inspect-0.3.285/2026-11-30T02-36-25-00-00_gen-qa-flaky_NM7BpvVXtz9zhBGiMENfcx.eval";
const LM_EVAL: &str = "tests/fixtures/lm-eval-0.4.13";

#[test]
fn inspect_runs_results_and_samples() {
    snapshot(
        "inspect_runs",
        Some("tests/fixtures/inspect-0.3.285"),
        |_| {},
    );
    snapshot("inspect_results", Some(INSPECT_MC), |app| {
        press(app, &[Enter])
    });
    snapshot("inspect_results_config_panel", Some(INSPECT_GEN), |app| {
        press(app, &[Enter, KeyCode::Tab])
    });
    snapshot("inspect_samples_with_epochs", Some(INSPECT_MC), |app| {
        press(app, &[Enter, Enter])
    });
    // mc-07, epoch 1: right, though its mean over the two epochs is 0.5.
    snapshot("inspect_sample_of_two_epochs", Some(INSPECT_MC), |app| {
        press(app, &[Enter, Enter]);
        press(app, &[Down; 12]);
        press(app, &[Enter]);
    });
    snapshot("inspect_sample_chat_messages", Some(INSPECT_GEN), |app| {
        press(app, &[Enter, Enter]);
        press(app, &[Down; 6]);
        press(app, &[Enter]);
    });
    // Runs newest first: the .json mc_quiz log (1) against the other run of mc_quiz (2).
    snapshot(
        "inspect_diff_of_two_runs",
        Some("tests/fixtures/inspect-0.3.285"),
        |app| press(app, &[Down, Char(' '), Down, Char(' '), Char('d')]),
    );
    snapshot("inspect_sample_failed", Some(INSPECT_FLAKY), |app| {
        press(app, &[Enter, Enter]);
        press(app, &[Down; 4]);
        press(app, &[Enter]);
    });
}

/// The agent log Inspect wrote with `tests/interop/make_agent_fixture.py`: samples `archive`
/// (two tool calls, reasoning), `broken` (a failed tool), `endless` (the message limit) and
/// `picture` (an image), in that order.
const AGENT: &str = "tests/fixtures/inspect-agent";

/// Opens sample `row` of the agent log and presses `keys` on the Sample screen.
fn agent_sample(app: &mut App, row: usize, keys: &[KeyCode]) {
    press(app, &[Enter, Enter]);
    press(app, &vec![Down; row]);
    press(app, &[Enter]);
    press(app, keys);
}

#[test]
fn agent_transcripts() {
    snapshot(
        "transcript_tool_calls_and_a_failed_tool",
        Some(AGENT),
        |app| agent_sample(app, 1, &[Char('t')]),
    );
    snapshot("transcript_reasoning_folded", Some(AGENT), |app| {
        agent_sample(
            app,
            0,
            &[Char('t'), Char('n'), Char('n'), Char('n'), Char('n')],
        )
    });
    snapshot("transcript_reasoning_unfolded", Some(AGENT), |app| {
        agent_sample(
            app,
            0,
            &[Char('t'), Enter, Char('n'), Char('n'), Char('n'), Char('n')],
        )
    });
    snapshot("transcript_image_placeholder", Some(AGENT), |app| {
        agent_sample(app, 3, &[Char('t')])
    });
    // Folded to the top-level spans, each with its time and tokens; the limit shows inside.
    snapshot("events_with_a_limit_hit", Some(AGENT), |app| {
        agent_sample(app, 2, &[Char('e')])
    });
    // A model call opens to what it was given (its pooled input) and what it answered.
    snapshot("events_model_calls_unfolded", Some(AGENT), |app| {
        agent_sample(app, 0, &[Char('e'), Enter, Char('n'), Char('n')])
    });
}

/// `n` and `N` go from turn to turn, `]` keeps the view on the next sample, and `/` finds a
/// text; `t` again returns to the sample's fields.
#[test]
fn transcript_keys() {
    let mut app = open(Some(AGENT), (100, 30));
    agent_sample(&mut app, 0, &[Char('t')]);
    let scroll = |app: &App| app.sample().unwrap().scroll;
    assert_eq!(scroll(&app), 0);
    press(&mut app, &[Char('n')]);
    let second = scroll(&app);
    assert!(second > 0);
    press(&mut app, &[Char('n'), Char('N')]);
    assert_eq!(scroll(&app), second);
    press(&mut app, &[Char('/')]);
    typed(&mut app, "status open");
    press(&mut app, &[Enter]);
    let found = scroll(&app);
    let layout = app.sample().unwrap().layout.clone().unwrap();
    assert!(
        layout.lines[found].text.contains("status open"),
        "{:?}",
        layout.lines[found]
    );
    // Text folded away is found too: its block unfolds.
    assert!(!app.sample().unwrap().unfolded);
    press(&mut app, &[Char('/')]);
    typed(&mut app, "I should answer yes");
    press(&mut app, &[Enter]);
    assert!(app.sample().unwrap().unfolded);
    assert!(
        screen(&app).contains("I should answer yes"),
        "{}",
        screen(&app)
    );
    press(&mut app, &[Char(']')]);
    assert!(screen(&app).contains("✗ tool · fetch"), "{}", screen(&app));
    press(&mut app, &[Char('t')]);
    assert!(screen(&app).contains("── query"), "{}", screen(&app));
}

#[test]
fn lm_eval_results_and_samples() {
    snapshot("lm_eval_runs", Some(LM_EVAL), |_| {});
    snapshot("lm_eval_results_group_and_filters", Some(LM_EVAL), |app| {
        press(app, &[Enter])
    });
    snapshot("lm_eval_results_config_panel", Some(LM_EVAL), |app| {
        press(app, &[Enter, KeyCode::Tab])
    });
    let open_task = |app: &mut App, task: &str| {
        press(app, &[Enter, Char('f')]);
        typed(app, task);
        press(app, &[Enter, Enter]);
    };
    snapshot("lm_eval_samples_two_filters", Some(LM_EVAL), |app| {
        open_task(app, "arith")
    });
    snapshot("lm_eval_sample_with_its_arguments", Some(LM_EVAL), |app| {
        open_task(app, "arith");
        press(app, &[Enter]);
    });
    snapshot("lm_eval_sample_of_a_choice_task", Some(LM_EVAL), |app| {
        open_task(app, "toy_mc");
        press(app, &[Enter]);
    });
}

#[test]
fn compare_screens() {
    // Every run of the folder, oldest first; the first is the baseline.
    snapshot("compare_three_runs", Some(RUNS_013), |app| {
        press(app, &[Char('c')])
    });
    snapshot("compare_baseline_changed", Some(RUNS_013), |app| {
        press(app, &[Char('c'), KeyCode::Right, Char('b')])
    });
    snapshot("compare_sorted_by_delta", Some(RUNS_013), |app| {
        press(app, &[Char('c'), KeyCode::Right, Char('s')])
    });
    snapshot("compare_filtered", Some(RUNS_013), |app| {
        press(app, &[Char('c'), Char('f')]);
        typed(app, "quiz");
        press(app, &[Enter]);
    });
    // Five Inspect runs: the columns scroll sideways to the cursor's, the task column pinned.
    snapshot(
        "compare_scrolled_sideways",
        Some("tests/fixtures/inspect-0.3.285"),
        |app| {
            press(app, &[Char('c')]);
            press(app, &[KeyCode::Right; 4]);
        },
    );
    // Every fixture run of every harness (16 columns, bad ones too), scrolled to the last.
    snapshot(
        "compare_sixteen_runs_scrolled_to_the_last",
        Some("tests/fixtures"),
        |app| {
            press(app, &[Char('c')]);
            press(app, &[KeyCode::Right; 15]);
        },
    );
    // k: standard errors clustered by a sample field (Inspect's metadata), the tests run again.
    snapshot(
        "compare_clustered_by_category",
        Some("tests/fixtures/inspect-0.3.285"),
        |app| {
            press(app, &[Char('c'), Char('k')]);
            typed(app, "metadata.category");
            press(app, &[Enter]);
        },
    );
    // Enter on a cell: the Diff screen of that run against the baseline, on that row; Esc back.
    snapshot("compare_cell_opens_its_diff", Some(RUNS_013), |app| {
        press(app, &[Char('c'), KeyCode::Right, Down, Down, Enter])
    });
    snapshot("compare_back_from_its_diff", Some(RUNS_013), |app| {
        press(app, &[Char('c'), KeyCode::Right, Enter, Esc])
    });
}

#[test]
fn agreement_grids() {
    // quiz:geo|0 is the 8th row of the 3-run matrix.
    let open_geo = |app: &mut App| {
        press(app, &[Char('c'), Char('f')]);
        typed(app, "geo");
        press(app, &[Enter, Char('a')]);
    };
    snapshot("agreement_all_samples", Some(RUNS_013), |app| open_geo(app));
    snapshot("agreement_hard_for_all", Some(RUNS_013), |app| {
        open_geo(app);
        press(app, &[Char('2')]);
    });
    snapshot("agreement_only_baseline_right", Some(RUNS_013), |app| {
        open_geo(app);
        press(app, &[Char('3')]);
    });
    snapshot("agreement_runs_disagree", Some(RUNS_013), |app| {
        open_geo(app);
        press(app, &[Char('4')]);
    });
    snapshot("agreement_flips_with_a_column", Some(RUNS_013), |app| {
        open_geo(app);
        press(app, &[KeyCode::Right, KeyCode::Right, Char('5')]);
    });
    snapshot("agreement_sample_side_by_side", Some(RUNS_013), |app| {
        open_geo(app);
        press(app, &[Char('4'), Enter]);
    });
    // ← from the first run's column puts the cursor on the task; Enter there opens the same grid.
    snapshot("compare_task_column_selected", Some(RUNS_013), |app| {
        press(app, &[Char('c'), Down, KeyCode::Left])
    });
    let mut by_key = open(Some(RUNS_013), (100, 30));
    open_geo(&mut by_key);
    let mut by_enter = open(Some(RUNS_013), (100, 30));
    press(&mut by_enter, &[Char('c'), Char('f')]);
    typed(&mut by_enter, "geo");
    press(&mut by_enter, &[Enter, KeyCode::Left, Enter]);
    assert!(screen(&by_key).contains("✓"), "{}", screen(&by_key));
    assert_eq!(screen(&by_enter), screen(&by_key));
}

/// The grid's first frame waits for the runs' scores alone; the side-by-side view says the other
/// runs' predictions are being read, and shows them when they come.
#[test]
fn agreement_predictions_come_after_the_scores() {
    let mut app = open(Some(RUNS_013), (100, 30));
    press(&mut app, &[Char('c'), Char('f')]);
    typed(&mut app, "geo");
    press(&mut app, &[Enter]);
    let command = app.update(Message::Key(KeyEvent::new(Char('a'), KeyModifiers::NONE)));
    let mut messages = Vec::new();
    tui::execute(command, &AtomicBool::new(false), &mut |m| messages.push(m));
    assert!(matches!(messages[0], Message::AgreementLoaded { .. }));
    assert!(matches!(messages[1], Message::AgreementPredictions { .. }));
    let mut messages = messages.into_iter();
    app.update(messages.next().unwrap());
    press(&mut app, &[Char('4'), Enter]);
    insta::assert_snapshot!("agreement_sample_before_predictions_100x30", screen(&app));
    assert!(screen(&app).contains("reading the prediction"));
    app.update(messages.next().unwrap());
    assert!(!screen(&app).contains("reading the prediction"));
    let grid = match &app.agreement().unwrap().data {
        tui::app::Loadable::Ready(grid) => grid,
        _ => panic!("the grid is ready"),
    };
    assert!(grid.predictions);
    assert!(
        grid.rows
            .iter()
            .flat_map(|r| r.cells.iter().flatten())
            .all(|c| c.prediction.is_some())
    );
}

/// `k` on the Results screen: each mean's standard error clustered by a sample field, read from
/// the samples in the background and marked `c`; the config panel says by what. Empty: as stored.
#[test]
fn results_clustered_standard_errors() {
    // From the Results screen.
    let cluster = |app: &mut App| {
        press(app, &[Char('k')]);
        typed(app, "metadata.category");
        press(app, &[Enter]);
    };
    snapshot("results_clustered_by_category", Some(INSPECT_MC), |app| {
        press(app, &[Enter]);
        cluster(app);
    });
    snapshot("results_clustered_config_panel", Some(INSPECT_MC), |app| {
        press(app, &[Enter]);
        cluster(app);
        press(app, &[KeyCode::Tab]);
    });
    let mut app = open(Some(INSPECT_MC), (100, 30));
    press(&mut app, &[Enter]);
    let stored = screen(&app);
    cluster(&mut app);
    assert_ne!(screen(&app), stored);
    assert!(screen(&app).contains("c ± "), "{}", screen(&app));
    press(&mut app, &[Char('k')]);
    press(&mut app, &[KeyCode::Backspace; 17]);
    press(&mut app, &[Enter]);
    assert!(!screen(&app).contains("c ± "), "{}", screen(&app));
}

/// The Compare screen's first frame holds the stored values before any test has read a sample.
#[test]
fn compare_values_come_before_the_tests() {
    let mut app = open(Some(RUNS_013), (100, 30));
    let command = app.update(Message::Key(KeyEvent::new(Char('c'), KeyModifiers::NONE)));
    let mut messages = Vec::new();
    tui::execute(command, &AtomicBool::new(false), &mut |m| messages.push(m));
    assert!(
        matches!(messages[0], Message::CompareLoaded { .. }),
        "values first"
    );
    assert!(
        matches!(messages[1], Message::CompareTested { .. }),
        "then the tests"
    );
    let mut messages = messages.into_iter();
    app.update(messages.next().unwrap());
    insta::assert_snapshot!("compare_values_before_the_tests_100x30", screen(&app));
    app.update(messages.next().unwrap());
    assert!(app.compare().unwrap().tested);
}

/// `rows` samples of a two-choice task in lighteval's nested layout: ids `{prefix}0`, … ;
/// queries `question 0`, … ; gold `b`; odd ones right.
fn sample_rows(prefix: &str, rows: usize) -> Vec<evaldeck::model::Map> {
    use evaldeck::model::{Json, Map, pyjson};
    (0..rows)
        .map(|i| {
            let doc = pyjson::parse(&format!(
                r#"{{"id": "{prefix}{i}", "query": "question {i}", "choices": ["a", "b"], "gold_index": 1}}"#
            ))
            .unwrap();
            let mut metric = Map::new();
            metric.insert("acc".into(), Json::Int((i % 2) as i64));
            let mut response = Map::new();
            response.insert("text".into(), Json::Array(vec![Json::Str(format!("b{i}"))]));
            let mut row = Map::new();
            row.insert("doc".into(), doc);
            row.insert("metric".into(), Json::Object(metric));
            row.insert("model_response".into(), Json::Object(response));
            row
        })
        .collect()
}

/// A run of one task `t|0` of `rows` samples (`s0`, `s1`, …; odd ones right), in lighteval's
/// layout under `dir`.
fn run_of_rows(dir: &std::path::Path, rows: usize) {
    use evaldeck::model::{ResultsFile, pyjson};
    use evaldeck::store;
    let date = "2026-01-01T00-00-00.000000";
    let details = dir.join(format!("details/org/m/{date}"));
    std::fs::create_dir_all(&details).unwrap();
    let samples = sample_rows("s", rows);
    store::write_details(
        &details.join(format!("details_t|0_{date}.parquet")),
        &samples,
    )
    .unwrap();
    let results = pyjson::parse(
        r#"{"config_general": {"model_name": "org/m"}, "results": {"t|0": {"acc": 0.5, "acc_stderr": 0.01}}}"#,
    )
    .unwrap();
    let results = ResultsFile::from_json(results).unwrap();
    store::write_results(
        &dir.join(format!("results/org/m/results_{date}.json")),
        &results,
    )
    .unwrap();
}

/// A task larger than a chunk shows its first rows at once, says there are more (`1/1,024+`),
/// and is usable meanwhile: a filter asked for then covers the loaded rows, and runs again over
/// every row when the last arrives.
#[test]
fn a_large_task_shows_its_first_rows_before_the_rest() {
    use evaldeck::tui::data::{CHUNK_ROWS, SamplesRead, load_samples};
    let rows = 2 * CHUNK_ROWS + 452;
    let dir = tempfile::tempdir().unwrap();
    run_of_rows(dir.path(), rows);
    // The loader: the first chunk alone, then the others, every row once and in file order.
    let catalog = evaldeck::store::discover(dir.path()).unwrap();
    let stored = catalog.select(None, None).unwrap().run;
    let mut reads = Vec::new();
    load_samples(
        stored,
        "t|0",
        &AtomicBool::new(false),
        std::time::Duration::ZERO,
        |read| reads.push(read),
    )
    .unwrap();
    let mut reads = reads.into_iter();
    assert!(matches!(reads.next(), Some(SamplesRead::Opened { total }) if total == rows as u64));
    let Some(SamplesRead::First(mut table)) = reads.next() else {
        panic!("the first chunk next")
    };
    assert_eq!((table.len(), table.complete), (CHUNK_ROWS, false));
    for read in reads {
        let SamplesRead::More { chunks, complete } = read else {
            panic!("chunks after the first")
        };
        table.append(chunks);
        table.complete = complete;
    }
    assert!(table.complete);
    assert_eq!(table.len(), rows);
    for row in [0, CHUNK_ROWS - 1, CHUNK_ROWS, rows - 1] {
        assert_eq!(table.row_text(row).id, format!("s{row}"));
        assert_eq!(table.row_text(row).query, format!("question {row}"));
        assert_eq!(table.metric(0, row), (row % 2) as f64);
    }

    // The screen: the first chunk, `+` and the loading line; `w` filters what is loaded.
    let (mut app, command) = App::new(Source::local(dir.path().to_owned()), (100, 30));
    run(&mut app, command);
    press(&mut app, &[Enter]);
    let load = app.update(Message::Key(KeyEvent::new(Enter, KeyModifiers::NONE)));
    let mut messages = Vec::new();
    tui::execute(load, &AtomicBool::new(false), &mut |m| messages.push(m));
    let mut messages = messages.into_iter();
    for message in messages.by_ref().take(2) {
        run_message(&mut app, message);
    }
    let first = screen(&app);
    assert!(first.contains(" 1/1,024+ "), "{first}");
    assert!(first.contains("loading …"), "{first}");
    press(&mut app, &[Char('w')]);
    assert!(
        screen(&app).contains(" 1/512 of 1,024+ "),
        "{}",
        screen(&app)
    );
    for message in messages {
        run_message(&mut app, message);
    }
    let last = screen(&app);
    assert_eq!(rows, 2_500);
    assert!(last.contains(" 1/1,250 of 2,500 "), "{last}");
    assert!(!last.contains("loading …"), "{last}");
}

fn run_message(app: &mut App, message: Message) {
    let command = app.update(message);
    run(app, command);
}

/// A run written in steps into a watched folder, as lighteval writes one: a details file, then
/// another, then the results file (first half-written, then whole). The Runs and Results screens
/// follow each step; a file seen changing that reads as incomplete is `writing…`, not an error.
/// The watcher's reports are fed as messages (`source::watch` is tested in `tests/live.rs`).
#[test]
fn a_run_written_in_steps_shows_as_it_is_written() {
    use evaldeck::model::{ResultsFile, pyjson};
    use evaldeck::store;
    // A fixed folder under target/, so the breadcrumb in the snapshots is the same everywhere.
    let root = std::path::PathBuf::from("target/tmp/live-steps");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let date = "2026-01-01T00-00-00.000000";
    let details = root.join(format!("details/org/m/{date}"));
    let results_path = root.join(format!("results/org/m/results_{date}.json"));
    let write_details = |task: &str, rows: usize| {
        let samples = sample_rows(&format!("{task}-"), rows);
        std::fs::create_dir_all(&details).unwrap();
        let path = details.join(format!("details_{task}|0_{date}.parquet"));
        store::write_details(&path, &samples).unwrap();
        path
    };
    let results = ResultsFile::from_json(
        pyjson::parse(
            r#"{"config_general": {"model_name": "org/m"}, "results": {"quiz:a|0": {"acc": 0.5, "acc_stderr": 0.1}, "quiz:b|0": {"acc": 0.25, "acc_stderr": 0.1}, "all": {"acc": 0.375, "acc_stderr": 0.07}}}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let results_text = store::results_to_string(&results);
    let (mut app, command) = App::new(Source::local(root.clone()), (100, 30));
    run(&mut app, command);
    let changed = |app: &mut App, path: &std::path::Path| {
        let command = app.update(Message::SourceChanged {
            paths: vec![path.to_owned()],
            at: std::time::Instant::now(),
        });
        run(app, command);
    };
    let runs_line = |app: &App| {
        screen(app)
            .lines()
            .find(|l| l.contains("org/m"))
            .unwrap_or_default()
            .to_owned()
    };

    // 1. The first details file: the run appears, its results still to come.
    let first = write_details("quiz:a", 4);
    changed(&mut app, &first);
    insta::assert_snapshot!("live_1_first_details_100x30", screen(&app));
    assert!(
        runs_line(&app).contains("writing… details"),
        "{}",
        screen(&app)
    );
    // 2. Another: two tasks, eight samples.
    let second = write_details("quiz:b", 4);
    changed(&mut app, &second);
    insta::assert_snapshot!("live_2_second_details_100x30", screen(&app));
    assert!(runs_line(&app).contains("       8 "), "{}", screen(&app));
    // 3. The results file, half-written, opened: writing…, not an error.
    std::fs::create_dir_all(results_path.parent().unwrap()).unwrap();
    std::fs::write(&results_path, &results_text[..results_text.len() / 2]).unwrap();
    changed(&mut app, &results_path);
    assert!(
        runs_line(&app).contains("writing… results"),
        "{}",
        screen(&app)
    );
    press(&mut app, &[Enter]);
    insta::assert_snapshot!("live_3_results_being_written_100x30", screen(&app));
    assert!(screen(&app).contains("writing…") && !screen(&app).contains("✗"));
    // 4. Whole: the open Results screen reloads by itself; back on Runs, the headline shows.
    std::fs::write(&results_path, &results_text).unwrap();
    changed(&mut app, &results_path);
    insta::assert_snapshot!("live_4_results_written_100x30", screen(&app));
    assert!(screen(&app).contains("0.3750"), "{}", screen(&app));
    press(&mut app, &[Esc]);
    assert!(runs_line(&app).contains("acc 0.3750"), "{}", screen(&app));
}

/// A watched folder's runs keep the cursor and marks on their runs when a newer run appears
/// above them (runs are listed newest first).
#[test]
fn a_new_run_keeps_the_cursor_and_marks_on_their_runs() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |model: &str, date: &str| {
        let from = std::path::Path::new(RUNS_013);
        for sub in [
            format!("results/{model}/results_{date}.json"),
            format!("details/{model}/{date}"),
        ] {
            let (src, dst) = (from.join(&sub), dir.path().join(&sub));
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            if src.is_dir() {
                std::fs::create_dir_all(&dst).unwrap();
                for entry in std::fs::read_dir(&src).unwrap() {
                    let entry = entry.unwrap();
                    std::fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
                }
            } else {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
        dir.path()
            .join(format!("results/{model}/results_{date}.json"))
    };
    let oldest = "2026-11-23T21-40-51";
    copy("model-a", "2026-11-23T21-40-51.814529");
    let (mut app, command) = App::new(Source::local(dir.path().to_owned()), (100, 30));
    run(&mut app, command);
    press(&mut app, &[Char(' ')]);
    let marked_line = |app: &App| {
        let shown = screen(app);
        let line = shown
            .lines()
            .find(|l| l.contains(oldest))
            .unwrap()
            .to_owned();
        assert!(line.contains("\"A "), "{shown}");
    };
    // A newer run: the oldest is now second, and the cursor and its mark moved with it.
    let newer = copy("model-a", "2026-11-23T21-41-33.518746");
    let command = app.update(Message::SourceChanged {
        paths: vec![newer],
        at: std::time::Instant::now(),
    });
    run(&mut app, command);
    assert_eq!(
        (app.runs.cursor.selected, app.runs.marked.clone()),
        (1, vec![1])
    );
    marked_line(&app);
    // A listing that answers a change already handled (two changes came close together), and
    // holds a third run: the place is kept all the same.
    let newest = copy("org-b/model-b", "2026-11-23T21-41-57.557004");
    let mut answers = Vec::new();
    let again = Command::LoadRuns {
        source: Source::local(dir.path()),
        hub: app.hub.clone(),
        being_written: vec![newest],
    };
    tui::execute(again, &AtomicBool::new(false), &mut |m| answers.push(m));
    for answer in answers {
        run_message(&mut app, answer);
    }
    assert_eq!(
        (app.runs.cursor.selected, app.runs.marked.clone()),
        (2, vec![2])
    );
    marked_line(&app);
}

/// An Inspect log being written (its journal, no header yet) shows its running score and how far
/// it has got, counted here from the journal with Python's zipfile; the same log not seen
/// changing (an interrupted run) shows its score alone.
#[test]
fn an_inspect_log_being_written_shows_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir
        .path()
        .join("2026-11-30T02-36-21-00-00_gen-qa_ZRbM3p5k6KxSusMsqHW5yY.eval");
    std::fs::copy("tests/fixtures/bad/logs/interrupted.eval", &log).unwrap();
    let counted = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             done = sum(len(json.loads(z.read(n))) for n in z.namelist() if n.startswith('_journal/summaries/'))\n\
             ev = json.loads(z.read('_journal/start.json'))['eval']\n\
             print(done, ev['dataset']['samples'] * (ev['config'].get('epochs') or 1))",
        ])
        .arg(&log)
        .output()
        .unwrap();
    let counted = String::from_utf8(counted.stdout).unwrap();
    let (done, total) = counted.trim().split_once(' ').unwrap();
    let (mut app, command) = App::new(Source::local(dir.path().to_owned()), (140, 30));
    run(&mut app, command);
    assert!(!screen(&app).contains('⟳'), "{}", screen(&app));
    let command = app.update(Message::SourceChanged {
        paths: vec![log.clone()],
        at: std::time::Instant::now(),
    });
    run(&mut app, command);
    let line = screen(&app)
        .lines()
        .find(|l| l.contains("mockllm"))
        .unwrap()
        .to_owned();
    assert!(
        line.contains(&format!("⟳ {done} of {total} samples")),
        "{line}"
    );
}

/// A results file left half-written is `writing…` while it is seen changing, and broken once it
/// has not changed for a minute.
#[test]
fn a_file_that_stops_changing_while_incomplete_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    run_of_rows(dir.path(), 3);
    let results = dir
        .path()
        .join("results/org/m/results_2026-01-01T00-00-00.000000.json");
    let text = std::fs::read_to_string(&results).unwrap();
    std::fs::write(&results, &text[..text.len() / 2]).unwrap();
    let (mut app, command) = App::new(Source::local(dir.path().to_owned()), (100, 30));
    run(&mut app, command);
    let seen = std::time::Instant::now();
    let command = app.update(Message::SourceChanged {
        paths: vec![results.clone()],
        at: seen,
    });
    run(&mut app, command);
    let line = |app: &App| {
        screen(app)
            .lines()
            .find(|l| l.contains("org/m"))
            .unwrap()
            .to_owned()
    };
    assert!(line(&app).contains("writing… results"), "{}", line(&app));
    let soon = app.update(Message::Tick {
        at: seen + std::time::Duration::from_secs(5),
    });
    run(&mut app, soon);
    assert!(line(&app).contains("writing… results"), "{}", line(&app));
    let later = app.update(Message::Tick {
        at: seen + evaldeck::tui::app::WRITING_WINDOW,
    });
    run(&mut app, later);
    assert!(line(&app).contains("⚠"), "{}", line(&app));
}

/// lighteval's nested files are listed column by column; every row must show what decoding the
/// row says (rows are checked against pyarrow in `interop.rs`), on every fixture of every layout.
#[test]
fn the_list_read_by_column_shows_what_rows_say() {
    use evaldeck::tui::data::{SampleTable, SamplesRead, load_samples};
    let mut by_column = 0;
    for source in [
        "tests/fixtures/lighteval-0.13",
        "tests/fixtures/lighteval-0.10.0",
        "tests/fixtures/inspect-0.3.285",
        "tests/fixtures/lm-eval-0.4.13",
    ] {
        let catalog = evaldeck::store::discover_with(
            std::path::Path::new(source),
            &evaldeck::source::log_formats(),
        )
        .unwrap();
        for stored in catalog.runs() {
            for (task, _) in &stored.details {
                let Ok(file) = stored.open_details(task) else {
                    continue;
                };
                let mut listed: Option<SampleTable> = None;
                load_samples(
                    stored,
                    task,
                    &AtomicBool::new(false),
                    std::time::Duration::ZERO,
                    |read| match read {
                        SamplesRead::First(table) => listed = Some(table),
                        SamplesRead::More { chunks, complete } => {
                            let table = listed.as_mut().unwrap();
                            table.append(chunks);
                            table.complete = complete;
                        }
                        SamplesRead::Opened { .. } => {}
                    },
                )
                .unwrap();
                let listed = listed.unwrap();
                let mut rows = SampleTable::new(task, file.metric_names());
                for batch in file.list_details(7).unwrap() {
                    for detail in batch.unwrap() {
                        rows.push(&detail);
                    }
                }
                assert_eq!(listed.len(), rows.len(), "{source} {task}");
                assert_eq!(listed.metric_names, rows.metric_names, "{source} {task}");
                for row in 0..rows.len() {
                    let at = format!("{source} {task} row {row}");
                    assert_eq!(listed.row_text(row).id, rows.row_text(row).id, "{at}");
                    assert_eq!(listed.row_text(row).query, rows.row_text(row).query, "{at}");
                    assert_eq!(listed.row_text(row).gold, rows.row_text(row).gold, "{at}");
                    assert_eq!(
                        listed.row_text(row).prediction,
                        rows.row_text(row).prediction,
                        "{at}"
                    );
                    assert_eq!(listed.verdict(row), rows.verdict(row), "{at}");
                    for m in 0..rows.metric_names.len() {
                        assert_eq!(
                            listed.metric(m, row).to_bits(),
                            rows.metric(m, row).to_bits(),
                            "{at}"
                        );
                    }
                }
                if evaldeck::store::list_batches(&file, 8).unwrap().is_some() {
                    by_column += 1;
                }
            }
        }
    }
    assert!(by_column >= 10, "only {by_column} tasks listed by column");
}

/// `hf://datasets/ORG` lists the organisation's runs page by page: the Runs screen shows the
/// first page while the rest is listed, then grows, keeping the cursor on its run; `Enter` reads
/// that run's results from the Hub.
#[test]
fn an_organisation_grows_page_by_page() {
    let server = hub_server::HubServer::start("hf_tui_org_token");
    server.state.lock().unwrap().page_size = 1;
    let cache = tempfile::tempdir().unwrap();
    let mut endpoint =
        evaldeck::hub::HubEndpoint::new(&server.url, evaldeck::hub::Token::new("hf_tui_org_token"));
    endpoint.cache_dir = Some(cache.path().to_owned());
    let client = evaldeck::hub::HubClient::new(endpoint.clone()).unwrap();
    let catalog = evaldeck::store::discover(std::path::Path::new(RUNS_013)).unwrap();
    for run in catalog.runs() {
        let plan = evaldeck::publish::plan_push("evals", true, run).unwrap();
        evaldeck::publish::push_to_hub(&client, &plan, &mut |_| {}).unwrap();
    }
    let (mut app, command) = App::with_hub(
        "hf://datasets/evals".parse::<Source>().unwrap(),
        (100, 30),
        endpoint,
    );
    let mut messages = Vec::new();
    tui::execute(command, &AtomicBool::new(false), &mut |m| messages.push(m));
    assert_eq!(messages.len(), 2, "one answer a page: two repos");
    let mut messages = messages.into_iter();
    app.update(messages.next().unwrap());
    let first = screen(&app);
    insta::assert_snapshot!("runs_of_an_organisation_first_page_100x30", first);
    press(&mut app, &[Down]);
    let selected = app.runs.cursor.selected;
    app.update(messages.next().unwrap());
    insta::assert_snapshot!("runs_of_an_organisation_100x30", screen(&app));
    let evaldeck::tui::app::Loadable::Ready(runs) = &app.runs.data else {
        panic!("listed");
    };
    assert!(runs.listing.is_none(), "the last page says so");
    assert_eq!(runs.runs.len(), 3);
    assert_ne!(
        app.runs.cursor.selected, selected,
        "the cursor moved with its run"
    );
    press(&mut app, &[Enter]);
    let results = screen(&app);
    assert!(results.contains("quiz:sci"), "{results}");
}

/// The wild set (files other people wrote, `../shared/fixtures/wild`, never copied here), when
/// it is beside the checkout: `None` (said loudly) without it, a failure under
/// `EVALDECK_REQUIRE_INTEROP=1`, as CI sets.
fn wild(relative: &str) -> Option<String> {
    crate::support::shared(&format!("fixtures/wild/{relative}"), "WILD SNAPSHOT")?;
    // Relative, as the breadcrumb of the snapshots shows it on every machine.
    Some(format!("../shared/fixtures/wild/{relative}"))
}

/// Snapshots of wild files, at the two sizes people use over SSH.
fn wild_snapshot(name: &str, source: &str, reach: impl Fn(&mut App)) {
    for size in [(100, 30), (80, 24)] {
        let mut app = open(Some(source), size);
        reach(&mut app);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen(&app));
    }
}

#[test]
fn wild_open_llm_leaderboard_group_tree() {
    let Some(source) = wild("lm-eval/openllm-v2-2025-01") else {
        return;
    };
    wild_snapshot("wild_openllm_v2_tree_unfolded", &source, |app| {
        press(app, &[Enter])
    });
    // Folding leaderboard_bbh and leaderboard_gpqa leaves their headers and the other groups.
    wild_snapshot("wild_openllm_v2_tree_folded", &source, |app| {
        press(app, &[Enter, Down, Down, Char('z'), Down, Char('z')])
    });
}

#[test]
fn wild_lm_eval_0_3_file() {
    let Some(source) = wild("lm-eval/v03-eleuther-results/llama-7B/llama-7B_mmlu_5-shot.json")
    else {
        return;
    };
    // A 0.3 file has no date of its own: its run is dated by the file's modification time, which
    // a copy with a fixed time pins (in target/, never in the repository).
    let copy = std::path::Path::new("target/wild-snapshots/llama-7B/llama-7B_mmlu_5-shot.json");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&source, copy).unwrap();
    let fixed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_690_000_000);
    std::fs::File::options()
        .write(true)
        .open(copy)
        .unwrap()
        .set_modified(fixed)
        .unwrap();
    let copy = copy.to_str().unwrap();
    wild_snapshot("wild_lm_eval_0_3_runs", copy, |_| {});
    wild_snapshot("wild_lm_eval_0_3_results", copy, |app| press(app, &[Enter]));
}

#[test]
fn wild_inspect_log_without_a_scorer_leads_to_its_samples() {
    let Some(source) = wild("inspect/ccot-oe-results") else {
        return;
    };
    wild_snapshot("wild_inspect_no_scorer_runs", &source, |_| {});
    wild_snapshot("wild_inspect_no_scorer_results", &source, |app| {
        press(app, &[Enter])
    });
    wild_snapshot("wild_inspect_no_scorer_samples", &source, |app| {
        press(app, &[Enter, Enter])
    });
    wild_snapshot("wild_inspect_no_scorer_sample", &source, |app| {
        press(app, &[Enter, Enter, Enter])
    });
}

#[test]
fn wild_inspect_dict_valued_scores_are_columns() {
    let Some(source) = wild("inspect/scicode-bench") else {
        return;
    };
    wild_snapshot("wild_scicode_samples", &source, |app| {
        press(app, &[Enter, Enter])
    });
}
