//! Watching a folder on disk for runs being written: the operating system's notifications
//! (inotify, FSEvents, kqueue) through `notify`, or polling where they do not reach (network and
//! FUSE filesystems, over which an evaluation is often watched, or when the OS watcher cannot
//! start). A burst of changes (a Parquet file written row group by row group) is reported once,
//! when the writing pauses.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

/// Changes are reported once no new one has come for this long.
pub const SETTLE: Duration = Duration::from_millis(100);
/// How often a polled folder is walked.
pub const POLL_EVERY: Duration = Duration::from_millis(500);

/// A file seen changing this recently that reads as incomplete is being written: shown as
/// `writing…` and read again when it changes; after, it is reported broken.
pub const WRITING_WINDOW: Duration = Duration::from_secs(60);

/// How a source is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The operating system reports changes.
    Notify,
    /// The folder is walked every [`POLL_EVERY`].
    Poll,
}

impl WatchMode {
    pub fn name(self) -> &'static str {
        match self {
            WatchMode::Notify => "live",
            WatchMode::Poll => "live, polling",
        }
    }
}

/// Why a folder or file could not be watched.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {source}", path.display())]
pub struct WatchError {
    pub path: PathBuf,
    pub source: notify::Error,
}

/// A watch on a source; dropping it stops the watch.
pub struct SourceWatch {
    _watcher: Box<dyn Watcher + Send>,
    pub mode: WatchMode,
}

/// Watches `root` (a folder, recursively, or one file) and calls `changed` with the paths that
/// changed, from a thread of its own, after each burst of changes settles. It polls on network
/// filesystems, or when `EVALDECK_WATCH=poll` says so (a filesystem this cannot recognise).
pub fn watch(
    root: &Path,
    changed: impl FnMut(Vec<PathBuf>) + Send + 'static,
) -> Result<SourceWatch, WatchError> {
    let poll = std::env::var("EVALDECK_WATCH").is_ok_and(|v| v == "poll");
    watch_with(root, poll.then_some(WatchMode::Poll), changed)
}

/// [`watch`], in `mode` if given (otherwise as [`watch`] chooses).
pub fn watch_with(
    root: &Path,
    mode: Option<WatchMode>,
    changed: impl FnMut(Vec<PathBuf>) + Send + 'static,
) -> Result<SourceWatch, WatchError> {
    let (sender, receiver) = mpsc::channel::<notify::Result<notify::Event>>();
    let on_event = move |event| {
        let _ = sender.send(event);
    };
    let problem = |source: notify::Error| WatchError {
        path: root.to_owned(),
        source,
    };
    let polled = || -> Result<Box<dyn Watcher + Send>, WatchError> {
        let config = notify::Config::default().with_poll_interval(POLL_EVERY);
        Ok(Box::new(
            notify::PollWatcher::new(on_event.clone(), config).map_err(problem)?,
        ))
    };
    let poll = mode == Some(WatchMode::Poll) || (mode.is_none() && on_network_filesystem(root));
    let (mut watcher, mode): (Box<dyn Watcher + Send>, _) = if poll {
        (polled()?, WatchMode::Poll)
    } else {
        match notify::recommended_watcher(on_event.clone()) {
            Ok(watcher) => (Box::new(watcher), WatchMode::Notify),
            // inotify's watch limit reached, or no OS watcher on this platform.
            Err(_) => (polled()?, WatchMode::Poll),
        }
    };
    watcher
        .watch(root, RecursiveMode::Recursive)
        .map_err(problem)?;
    let root = root.to_owned();
    std::thread::spawn(move || coalesce(&receiver, &root, changed));
    Ok(SourceWatch {
        _watcher: watcher,
        mode,
    })
}

/// Whether a change reported at `changed` (the file itself, or a folder above it created or
/// moved with it) concerns `path`. One may be relative and the other not.
pub fn touches(changed: &Path, path: &Path) -> bool {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    path.starts_with(changed) || absolute(path).starts_with(absolute(changed))
}

/// Reports each burst of changes once it settles; ends when the watcher is dropped.
fn coalesce(
    receiver: &mpsc::Receiver<notify::Result<notify::Event>>,
    root: &Path,
    mut changed: impl FnMut(Vec<PathBuf>),
) {
    let mut paths: Vec<PathBuf> = Vec::new();
    let collect = |event: notify::Result<notify::Event>, paths: &mut Vec<PathBuf>| {
        // Reads (access events) change nothing; an error of the watcher is not a change.
        if let Ok(event) = event
            && !matches!(event.kind, EventKind::Access(_))
        {
            for path in event.paths {
                // The watched folder itself changes with every file added: not a file's news.
                let the_folder = root.starts_with(&path) && root.is_dir();
                if !the_folder && !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
    };
    while let Ok(event) = receiver.recv() {
        collect(event, &mut paths);
        let mut quiet_since = Instant::now();
        loop {
            match receiver.recv_timeout(SETTLE.saturating_sub(quiet_since.elapsed())) {
                Ok(event) => {
                    collect(event, &mut paths);
                    quiet_since = Instant::now();
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        if !paths.is_empty() {
            changed(std::mem::take(&mut paths));
        }
    }
}

/// Whether `path` is on a filesystem whose changes the OS does not report to this machine: NFS,
/// SMB/CIFS, FUSE (sshfs, s3fs, gcsfuse), 9p, AFS, Ceph, Lustre.
#[cfg(target_os = "linux")]
fn on_network_filesystem(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    const NETWORK: [u64; 9] = [
        0x6969,      // NFS
        0x517B,      // SMB
        0xFF53_4D42, // CIFS
        0xFE53_4D42, // SMB2
        0x6573_5546, // FUSE
        0x0102_1997, // 9p
        0x5346_414F, // AFS
        0x00C3_6400, // Ceph
        0x0BD0_0BD0, // Lustre
    ];
    let Ok(path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `path` is a valid C string and `stat` a buffer statfs fills on success.
    if unsafe { libc::statfs(path.as_ptr(), stat.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: statfs returned 0, so it filled `stat`.
    let kind = unsafe { stat.assume_init() }.f_type as u64;
    NETWORK.contains(&kind)
}

#[cfg(not(target_os = "linux"))]
fn on_network_filesystem(_path: &Path) -> bool {
    false
}
