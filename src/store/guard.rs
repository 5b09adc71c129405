//! The parquet crate can panic on a corrupt file ("Decoder for dict should have been set"). A
//! reader must answer bad input with an error, so decoding runs behind `catch_unwind`, and the
//! panic hook is told to stay quiet for panics caught this way (otherwise it would print a crash
//! report, and in the TUI restore the terminal while the app goes on).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic inside becomes `Err` with its message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = GUARDED.with(|g| g.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder panicked".to_owned())
    })
}

/// Wraps the current panic hook so that panics caught by [`guarded`] print nothing. Call it after
/// installing the hooks that report real crashes (color-eyre, ratatui's terminal restore).
pub fn quiet_guarded_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !GUARDED.with(Cell::get) {
            previous(info);
        }
    }));
}
