//! evaldeck: lighteval's evaluation tracker core in Rust — read and write lighteval's results and
//! details files, discover runs, and explore them in a terminal UI.
//!
//! Layers: [`model`] (pure data) ← [`store`] (files) ← [`cli`] (headless commands) and [`tui`]
//! (interactive). The core never touches the terminal.

pub mod cli;
pub mod diff;
pub mod model;
pub mod publish;
pub mod sample_run;
pub mod stats;
pub mod store;
pub mod text;
pub mod tracker;
pub mod tui;
