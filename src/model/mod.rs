//! lighteval's data model: results files, task and general configs, docs, model responses and
//! details. Pure data; no I/O (that is `store`).

mod details;
mod json;
mod results;
mod task;

pub use details::{Detail, Doc, ModelResponse, Prediction, SampleIdentity};
pub use json::{Json, Map};
pub use results::{
    CompiledHashes, CompiledSummary, GeneralConfig, MetricValue, ResultsFile, ResultsRow,
    ShapeError,
};
pub use task::{MetricConfig, TaskConfig, TaskKey, short_function_name};
