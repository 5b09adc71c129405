//! Watching a folder for runs being written: the watcher itself (the OS's notifications, and
//! polling), and the real binary in a pseudo-terminal picking up a run copied in while it runs.
//! Waits here are for an event to come, never measurements: the follow latency is benched in
//! `benches/tui.rs`.

use crate::support;

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

/// A tracking file's lines: the run, a task, then `n` samples of it, `acc` 1 for every third.
fn tracking_lines(n: usize) -> Vec<String> {
    let mut lines = vec![
        r#"{"type":"run","model_name":"org/live-model"}"#.to_owned(),
        r#"{"type":"task","name":"quiz:live|0","aggregations":{"acc":"mean"}}"#.to_owned(),
    ];
    lines.extend((0..n).map(|i| {
        format!(
            r#"{{"task":"quiz:live|0","doc":{{"id":"{i}","query":"q{i}","choices":["a","b"],"gold_index":0}},"metric":{{"acc":{}}}}}"#,
            u8::from(i % 3 == 0)
        )
    }));
    lines
}

/// `evaldeck FILE --follow --save`: the file is read as the producer appends it (a line written
/// in two pieces waits for its end), the running mean shows, and the `end` record saves the run,
/// with the numbers `--save` gives the finished file.
#[test]
fn a_tracking_file_followed_as_it_is_written_is_saved_at_its_end() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.jsonl");
    let lines = tracking_lines(30);
    let mut writer = std::fs::File::create(&file).unwrap();
    for line in &lines[..12] {
        writeln!(writer, "{line}").unwrap();
    }
    writer.flush().unwrap();
    let followed = dir.path().join("followed");
    let child = crate::support::evaldeck_command()
        .arg(&file)
        .args(["--follow", "--save", "--output-dir"])
        .arg(&followed)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // The rest, one line in two pieces, then the end.
    let (head, tail) = lines[12].split_at(20);
    write!(writer, "{head}").unwrap();
    writer.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    writeln!(writer, "{tail}").unwrap();
    for line in &lines[13..] {
        writeln!(writer, "{line}").unwrap();
    }
    writeln!(writer, r#"{{"type":"end"}}"#).unwrap();
    writer.flush().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The last block: 30 samples, ten of them right.
    let last = stdout.rsplit("] ").next().unwrap();
    assert!(last.starts_with("30 samples"), "{stdout}");
    assert!(last.contains("quiz:live|0  acc  0.3333"), "{stdout}");
    // The same run as --save makes of the finished file.
    let saved = dir.path().join("saved");
    let plain = crate::support::evaldeck_command()
        .arg(&file)
        .args(["--save", "--output-dir"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(plain.status.success());
    let results = |root: &Path| -> serde_json::Value {
        let path = support::files_with_suffix(root, ".json")
            .into_iter()
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("results_")
            })
            .unwrap();
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(path).unwrap()).unwrap()
            ["results"]
            .clone()
    };
    assert_eq!(results(&followed), results(&saved));
    assert_eq!(results(&followed)["quiz:live|0"]["acc"], 10.0 / 30.0);
}

/// From stdin, the stream ends where stdin does.
#[test]
fn stdin_followed_ends_with_stdin() {
    use std::io::Write;
    let mut child = crate::support::evaldeck_command()
        .args(["-", "--follow"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in tracking_lines(6) {
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("] 6 samples"), "{stdout}");
    assert!(stdout.contains("quiz:live|0  acc  0.3333"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--save would write them"));
}

/// `runs --follow` on a folder an evaluation is about to write into: nothing at first, then a
/// line for the run as its details land (being written), and again with its score.
#[test]
fn runs_follow_prints_a_run_as_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, lines) = following(&["runs"], dir.path());
    let wait_for = |needle: &str| wait_for_line(&lines, needle);
    let fixture = support::fixture("lighteval-0.13");
    let date = "2026-11-23T21-40-51.814529";
    // The first write comes once the folder is watched.
    wait_for("note: watching");
    let details = dir.path().join(format!("details/model-a/{date}"));
    std::fs::create_dir_all(&details).unwrap();
    for entry in std::fs::read_dir(fixture.join(format!("details/model-a/{date}"))).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), details.join(entry.file_name())).unwrap();
    }
    let writing = wait_for("writing…");
    assert!(
        writing.contains("model-a") && writing.contains(date),
        "{writing}"
    );
    let results = dir.path().join("results/model-a");
    std::fs::create_dir_all(&results).unwrap();
    std::fs::copy(
        fixture.join(format!("results/model-a/results_{date}.json")),
        results.join(format!("results_{date}.json")),
    )
    .unwrap();
    let scored = wait_for("acc 0.2729");
    assert!(scored.contains("model-a"), "{scored}");
    child.kill().unwrap();
    let _ = child.wait();
}

/// `show --follow`: the results, then again (stamped) when a newer run's results land.
#[test]
fn show_follow_prints_the_results_again_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = support::fixture("lighteval-0.13");
    let copy_results = |date: &str| {
        let results = dir.path().join("results/model-a");
        std::fs::create_dir_all(&results).unwrap();
        std::fs::copy(
            fixture.join(format!("results/model-a/results_{date}.json")),
            results.join(format!("results_{date}.json")),
        )
        .unwrap();
    };
    copy_results("2026-11-23T21-40-51.814529");
    let (mut child, lines) = following(&["show"], dir.path());
    let wait_for = |needle: &str| {
        wait_for_line(&lines, needle);
    };
    // The note (stderr) and the first results (stdout) may arrive in either order.
    wait_for_all(&lines, &["note: watching", "2026-11-23T21-40-51.814529"]);
    copy_results("2026-11-23T21-41-33.518746");
    wait_for("2026-11-23T21-41-33.518746");
    child.kill().unwrap();
    let _ = child.wait();
}

/// `evaldeck ARGS FOLDER --follow`, its output lines arriving on the receiver as printed.
fn following(args: &[&str], folder: &Path) -> (std::process::Child, mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = crate::support::evaldeck_command()
        .args(args)
        .arg(folder)
        .arg("--follow")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, lines) = mpsc::channel();
    // Both streams, line by line: stdout's results and stderr's `note: watching …`.
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let forward = |stream: Box<dyn std::io::Read + Send>, sender: mpsc::Sender<String>| {
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        })
    };
    forward(Box::new(stdout), sender.clone());
    forward(Box::new(stderr), sender);
    (child, lines)
}

/// Waits until every needle has been seen on some line, in any order, within 20 s.
fn wait_for_all(lines: &mpsc::Receiver<String>, needles: &[&str]) {
    let end = std::time::Instant::now() + Duration::from_secs(20);
    let mut missing: Vec<&str> = needles.to_vec();
    while !missing.is_empty() {
        let Some(left) = end.checked_duration_since(std::time::Instant::now()) else {
            break;
        };
        match lines.recv_timeout(left) {
            Ok(line) => missing.retain(|needle| !line.contains(needle)),
            Err(_) => break,
        }
    }
    assert!(missing.is_empty(), "no line with {missing:?} within 20 s");
}

/// The first line holding `needle` within 20 s; fails the test otherwise.
fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    let end = std::time::Instant::now() + Duration::from_secs(20);
    while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no line with {needle:?} within 20 s");
}
