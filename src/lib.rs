//! evaldeck: lighteval's evaluation tracker core in Rust — read and write lighteval's results and
//! details files, discover runs, and show them.
//!
//! Layers: [`model`] (pure data) ← [`store`] (files) ← [`cli`] (headless commands). The core never
//! touches the terminal.

pub mod cli;
pub mod model;
pub mod store;
