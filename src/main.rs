use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// Tracking allocates many small JSON values; mimalloc roughly halves that cost over glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use evaldeck::cli::{self, Cli};

fn main() -> ExitCode {
    // Errors are printed as one line, never with a backtrace, so capturing one is waste: with
    // RUST_BACKTRACE=1 set, symbolising it cost about 450 MB and a visible pause on every error.
    // Panics keep their backtrace (RUST_BACKTRACE). Set before any thread exists.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: single-threaded here; nothing reads the environment concurrently.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    // Panics still get color-eyre's report; errors are printed plainly below.
    let _ = color_eyre::install();
    // Corrupt Parquet can make the parquet crate panic; those panics are caught and reported as
    // errors naming the file, so the crash report must stay silent for them.
    evaldeck::store::quiet_guarded_panics();
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let result = cli::run(cli, &mut out, &mut err).and_then(|()| Ok(out.flush()?));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<cli::RegressionFound>().is_some() => {
            let _ = writeln!(err, "evaldeck: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            let _ = writeln!(err, "error: {}", cli::error_text(&e));
            ExitCode::from(2)
        }
    }
}
