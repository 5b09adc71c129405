//! evaldeck: lighteval's evaluation tracker core in Rust — read and write lighteval's results and
//! details files, discover runs, track new ones, compare and publish them, and explore them in a
//! terminal UI.
//!
//! The core, which never touches the terminal and reports progress through callbacks:
//! - [`model`]: lighteval's data (results, configs, details) and its Python-compatible JSON codec;
//! - [`stats`]: means, standard errors, lighteval's bootstrap, every corpus aggregation (sacrebleu's
//!   translation metrics included), paired tests;
//! - [`store`]: lighteval's files on disk: discovery, results JSON, details Parquet, atomic writes;
//!   and in [`store::log`], the seam every other harness's logs are read through;
//! - [`tracker`]: lighteval's `EvaluationTracker`: log, aggregate, hash, save, re-track a stored run;
//! - [`analysis`]: a run read for comparing and clustering (sides, sample pairing, clustered
//!   standard errors), which `show`, `diff`, `compare` and the screens share;
//! - [`diff`]: two runs compared with paired statistics;
//! - [`compare`]: many runs side by side against a baseline, Holm across the whole matrix;
//! - [`hub`]: the Hugging Face Hub client that reading and publishing share;
//! - [`publish`]: pushing to the Hub, TensorBoard and Trackio;
//! - [`report`]: a run's results as the lines `show` and the Results screen render;
//! - [`source`]: opening what the user names: a folder, a file, or an `hf://` repo, with the readers
//!   of Inspect AI ([`source::inspect`]) and lm-evaluation-harness ([`source::lm_eval`]) logs.
//!
//! # Reading another harness's logs
//!
//! A harness is three small traits ([`store::log`]):
//! - a [`store::LogFormat`] claims its files from their first bytes ([`store::FileHead`]: zip or
//!   Parquet magic, a JSON document's top-level keys, a JSON-lines file's first keys), never from
//!   their names alone, and groups them into [`store::Run`]s;
//! - each run's [`store::HarnessRun`] shapes its results as a lighteval results document, plus an
//!   `evaldeck_harness` section (harness, derived rows, sample counts), so the Results screen,
//!   `show`, `diff` and the config panel read every harness alike;
//! - each task's [`store::SampleLog`] yields [`model::Detail`]s (query, choices, golds, generation,
//!   per-sample scores, the harness's own fields in `doc.specific`) beside the harness's record,
//!   read in batches or one row at a time; [`store::DetailsFile`] wraps it, so the screens and
//!   commands that read lighteval's Parquet read it unchanged.
//!
//! A fourth format is one new file implementing the three, and its entry in
//! [`source::log_formats`].
//!
//! Around it, [`cli`] (headless commands) and [`tui`] (the interactive app, Elm-style: state,
//! messages, `update`, views). [`text`] holds the wording and widths both share.

pub mod analysis;
pub mod cli;
pub mod compare;
pub mod diff;
pub mod hub;
pub mod memory;
pub mod model;
pub mod publish;
pub mod report;
pub mod sample_run;
pub mod source;
pub mod stats;
pub mod store;
pub mod text;
pub mod tracker;
pub mod tui;
