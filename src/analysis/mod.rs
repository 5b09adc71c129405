//! A run read for analysis, shared by `show`, `diff`, `compare` and the screens: a [`Side`] (a
//! run, its results and its samples as a comparison reads them), which samples of two runs pair,
//! and standard errors clustered by a sample field.

mod clustered;
mod pairing;
mod side;

pub use clustered::{ClusteredStderr, clustered_stderrs};
pub(crate) use pairing::name_sample_values;
pub use pairing::{cluster_of, mean_over_epochs, pair_samples};
pub use side::Side;
pub(crate) use side::pairing_key;
