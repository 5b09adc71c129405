//! evaldeck: lighteval's evaluation tracker core in Rust — read and write lighteval's results and
//! details files, discover runs, track new ones, compare and publish them, and explore them in a
//! terminal UI.
//!
//! The core, which never touches the terminal and reports progress through callbacks:
//! - [`model`]: lighteval's data (results, configs, details) and its Python-compatible JSON codec;
//! - [`stats`]: means, standard errors, lighteval's bootstrap, every corpus aggregation (sacrebleu's
//!   translation metrics included), paired tests;
//! - [`store`]: lighteval's files on disk: discovery, results JSON, details Parquet, atomic writes;
//! - [`tracker`]: lighteval's `EvaluationTracker`: log, aggregate, hash, save, re-track a stored run;
//! - [`diff`]: two runs compared with paired statistics;
//! - [`publish`]: the Hub, TensorBoard and Trackio;
//! - [`source`]: opening what the user names: a folder, a file, or an `hf://` repo.
//!
//! Around it, [`cli`] (headless commands) and [`tui`] (the interactive app, Elm-style: state,
//! messages, `update`, views). [`text`] holds the wording and widths both share.

pub mod cli;
pub mod diff;
pub mod model;
pub mod publish;
pub mod sample_run;
pub mod source;
pub mod stats;
pub mod store;
pub mod text;
pub mod tracker;
pub mod tui;
