//! Every integration test, in one binary: each test file would otherwise link the whole
//! dependency graph on its own (22 binaries took most of a cold `cargo nextest run`), and the
//! test Hub server is compiled once. Each module is one former test file, named as before.

mod hub_server;
mod support;

mod bad_input;
mod cli;
mod cli_publish;
mod compare;
mod compat;
mod diff;
mod harness_interop;
mod harness_logs;
mod house;
mod hub;
mod hub_ranges;
mod interop;
mod interop_status;
mod live;
mod mutations;
mod properties;
mod publish_interop;
mod resave;
mod sacrebleu_interop;
mod tracker;
mod tracker_parity;
mod transcripts;
mod tui_pty;
mod tui_snapshots;
mod wild;
