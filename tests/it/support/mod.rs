//! Shared helpers for the integration tests: fixture paths and the Python venv for interop tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The evaldeck binary, ready for its arguments and environment.
pub fn evaldeck_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evaldeck"))
}

/// Runs evaldeck with `args` and returns what it printed.
pub fn evaldeck(args: &[&str]) -> std::process::Output {
    evaldeck_command()
        .args(args)
        .output()
        .expect("run evaldeck")
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(relative: &str) -> PathBuf {
    fixtures().join(relative)
}

/// Every file under `dir` whose name ends with `suffix`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The Python interpreter of the interop venv (`target/interop-venv`, pinned requirements from
/// `tests/interop/requirements.txt`), created on first use. `None` (with a loud message) when it
/// cannot be built here, unless `EVALDECK_REQUIRE_INTEROP=1`, which turns that into a failure.
pub fn interop_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = PYTHON.get_or_init(build_venv);
    match result {
        Ok(python) => Some(python.clone()),
        Err(why) => {
            if std::env::var("EVALDECK_REQUIRE_INTEROP").as_deref() == Ok("1") {
                panic!("interop venv unavailable and EVALDECK_REQUIRE_INTEROP=1: {why}");
            }
            eprintln!(
                "\n!!!!! SKIPPING interop test: {why} (set EVALDECK_REQUIRE_INTEROP=1 to fail instead)\n"
            );
            None
        }
    }
}

fn build_venv() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = std::env::var_os("EVALDECK_INTEROP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/interop-venv"));
    let python = venv.join("bin/python");
    let requirements = root.join("tests/interop/requirements.txt");
    let stamp = venv.join(".evaldeck-requirements");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    // Several test binaries may get here at once; a lock file serialises the pip run.
    let _lock = DirLock::acquire(&venv.with_extension("lock"))?;
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    let host = std::env::var("EVALDECK_PYTHON").unwrap_or_else(|_| "python3".into());
    run(Command::new(&host).args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

struct DirLock(PathBuf);

impl DirLock {
    fn acquire(path: &Path) -> Result<Self, String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        for _ in 0..1200 {
            if std::fs::create_dir(path).is_ok() {
                return Ok(DirLock(path.to_owned()));
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        Err(format!("timed out waiting for {}", path.display()))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Runs the interop venv's Python on `script` with `args`; returns stdout.
pub fn python(python: &Path, script: &str, args: &[&Path]) -> String {
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Like [`python`], with extra environment variables; returns stdout.
pub fn python_env(python: &Path, script: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// xorshift: a small deterministic generator, so generated test inputs are the same everywhere.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The start of a Python script that drives evaldeck in a pseudo-terminal: the imports, and
/// `read_until(needle)`, which reads the terminal's output (into `out`, from the script's
/// `master`) until it holds `needle`, or exits with what it got (killing the script's `child`).
pub const PTY_DRIVER_HELPERS: &str = r#"
import os, sys, time, termios, fcntl, struct, select, shutil, subprocess

out = b""
def read_until(needle, timeout=20.0):
    global out
    end = time.time() + timeout
    while time.time() < end:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
            if needle.encode() in out:
                return
    child.kill()
    sys.exit(f"timed out waiting for {needle!r}; got {out[-2000:]!r}")
"#;

/// At most `max` characters of `text`, with `…` when cut: for long values in failure messages.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `../shared/<relative>` (files other people wrote, and the tools to make more), when it is
/// beside the checkout. Without it, `None`, and the test says loudly that `what` did not run;
/// under `EVALDECK_REQUIRE_INTEROP=1`, as CI sets, that is a failure.
pub fn shared(relative: &str, what: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("EVALDECK_REQUIRE_INTEROP").as_deref() == Ok("1") {
        panic!(
            "{} is missing and EVALDECK_REQUIRE_INTEROP=1",
            path.display()
        );
    }
    println!(
        "!!!!! {what} NOT RUN: {} is missing (set EVALDECK_REQUIRE_INTEROP=1 to fail instead)",
        path.display()
    );
    None
}
