//! Whether the interop tests ran: their venv was found or built, or they were skipped, and why.
//! nextest shows this test's output even when it passes (`.config/nextest.toml`).

use crate::support;

#[test]
fn interop_venv() {
    match support::interop_python() {
        Some(python) => println!("interop tests ran, with {}", python.display()),
        None => println!(
            "!!!!! INTEROP TESTS SKIPPED: no venv could be built (see the message above); \
             set EVALDECK_REQUIRE_INTEROP=1 to make this a failure"
        ),
    }
}
