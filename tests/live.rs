//! Watching a folder for runs being written: the watcher itself (the OS's notifications, and
//! polling), and the real binary in a pseudo-terminal picking up a run copied in while it runs.
//! Waits here are for an event to come, never measurements: the follow latency is benched in
//! `benches/tui.rs`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use evaldeck::source::{WatchMode, watch_with};

/// Reports received within `wait` until one names `want` or a folder above it (a folder created
/// with files in it may be reported alone: what changed inside it is re-read with it).
fn reported_until(receiver: &mpsc::Receiver<Vec<PathBuf>>, want: &Path, wait: Duration) -> usize {
    let root = want.ancestors().find(|a| {
        a.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".tmp"))
    });
    let mut reports = 0;
    let end = std::time::Instant::now() + wait;
    while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
        let Ok(paths) = receiver.recv_timeout(left) else {
            break;
        };
        reports += 1;
        let names_it = |p: &PathBuf| want.starts_with(p) && root.is_none_or(|root| p != root);
        if paths.iter().any(names_it) {
            return reports;
        }
    }
    panic!("{} was not reported within {wait:?}", want.display());
}

fn reports_a_new_file(mode: Option<WatchMode>) -> WatchMode {
    let dir = tempfile::tempdir().unwrap();
    let (sender, receiver) = mpsc::channel();
    let watch = watch_with(dir.path(), mode, move |paths| {
        let _ = sender.send(paths);
    })
    .unwrap();
    // A nested folder appears, then a file in it, as lighteval writes a run's details.
    let nested = dir
        .path()
        .join("details/org/model/2026-01-01T00-00-00.000000");
    std::fs::create_dir_all(&nested).unwrap();
    let file = nested.join("details_t|0_2026-01-01T00-00-00.000000.parquet");
    std::fs::write(&file, b"PAR1").unwrap();
    reported_until(&receiver, &file, Duration::from_secs(20));
    watch.mode
}

#[test]
fn the_os_watcher_reports_a_file_written_in_a_new_folder() {
    // A temporary folder is on a local filesystem here, so the OS reports it.
    assert_eq!(reports_a_new_file(None), WatchMode::Notify);
}

#[test]
fn polling_reports_a_file_written_in_a_new_folder() {
    assert_eq!(reports_a_new_file(Some(WatchMode::Poll)), WatchMode::Poll);
}

/// A burst of writes (a file written piece by piece) is reported once it settles, not once per
/// write.
#[test]
fn a_burst_of_writes_is_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let (sender, receiver) = mpsc::channel();
    let _watch = watch_with(dir.path(), Some(WatchMode::Notify), move |paths| {
        let _ = sender.send(paths);
    })
    .unwrap();
    let file = dir.path().join("results_2026-01-01T00-00-00.000000.json");
    let mut writer = std::fs::File::create(&file).unwrap();
    for _ in 0..200 {
        std::io::Write::write_all(&mut writer, b"{\"results\": {}}\n").unwrap();
        writer.sync_data().unwrap();
    }
    drop(writer);
    let reports = reported_until(&receiver, &file, Duration::from_secs(20));
    assert!(reports < 20, "{reports} reports for one burst");
}

const DRIVER: &str = r#"
binary, source, fixture = sys.argv[1], sys.argv[2], sys.argv[3]
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
env = dict(os.environ, TERM="xterm-256color", NO_COLOR="1")
child = subprocess.Popen([binary, source], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)

read_until("live")                      # the breadcrumb says the folder is watched
# lighteval's order: the details, then the results file.
date = "2026-11-23T21-40-51.814529"
shutil.copytree(f"{fixture}/details/model-a/{date}", f"{source}/details/model-a/{date}")
read_until("writing")                   # a run without results yet
os.makedirs(f"{source}/results/model-a")
shutil.copy(f"{fixture}/results/model-a/results_{date}.json", f"{source}/results/model-a/")
read_until("acc 0.2")                   # its headline, from the results file
os.write(master, b"q")
try:
    code = child.wait(timeout=10)
except subprocess.TimeoutExpired:
    child.kill()
    sys.exit("the app did not quit on q")
assert code == 0, f"exit code {code}"
print("ok")
"#;

/// The real binary on a folder that fills while it runs: the run appears, says it is being
/// written, and shows its score once its results file lands.
#[test]
fn the_tui_shows_a_run_as_it_is_written_into_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(format!("{}{DRIVER}", support::PTY_DRIVER_HELPERS))
        .arg(env!("CARGO_BIN_EXE_evaldeck"))
        .arg(dir.path())
        .arg(support::fixture("lighteval-0.13"))
        .output()
        .expect("python3 runs the pseudo-terminal driver");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("ok"),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
