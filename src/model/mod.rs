//! lighteval's data model: results files, task and general configs, docs, model responses and
//! details, and the Python-compatible JSON codec of its [`Json`] values (`pyjson`). Pure data; no
//! file I/O (that is `store`).

mod details;
pub mod hex;
mod json;
pub mod pyjson;
mod results;
mod stderr;
mod task;
pub mod transcript;

pub use details::{Detail, Doc, ModelResponse, Prediction, SampleIdentity, Verdict, chosen_choice};
pub use json::{Json, Map};
pub use results::{
    CompiledHashes, CompiledSummary, GeneralConfig, HARNESS_SECTION, MetricValue, ResultsFile,
    ResultsRow, SampleMetric, ShapeError, TreeNode, harness_section,
};
pub use stderr::StderrConvention;
pub use task::{MetricConfig, TaskConfig, TaskKey, short_function_name};
