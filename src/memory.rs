//! How the allocator gives memory back. The binary allocates with mimalloc (tracking allocates
//! many small JSON values, and mimalloc about halves that cost), which by default keeps freed
//! memory a while for reuse. An interactive session would rather give it back: reading a
//! 1,000,000-row task's list otherwise peaks 75 MB higher than what the list holds, on memory the
//! Parquet decoder freed moments before (`cargo bench --bench memory`).

/// mimalloc's option numbers (`mi_option_e` in the vendored `mimalloc.h`, v3): stable across its
/// releases, the deprecated ones kept in place.
const ARENA_EAGER_COMMIT: i32 = 4;
const PURGE_DELAY: i32 = 15;

// The options live in the mimalloc library the `mimalloc` crate links.
use mimalloc as _;

unsafe extern "C" {
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// Freed memory goes back to the system at once, and arenas commit only what they use. Call it
/// when mimalloc is the global allocator (the binary, the benches); a no-op effect otherwise.
pub fn return_freed_memory_promptly() {
    // SAFETY: mi_option_set only stores an option value; both options are read at each use.
    unsafe {
        mi_option_set(PURGE_DELAY, 0);
        mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}
