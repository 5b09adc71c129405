//! One metric's per-sample scores with the samples' ids, read from those two columns alone: what
//! a grid of many runs needs of each run, without building a row per sample.

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};

use super::details::{DetailsFile, DetailsLayout};
use super::error::{Result, StoreError};
use crate::model::Detail;

/// Each sample's id and score, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdScores {
    pub ids: Vec<String>,
    /// `None` where the sample has no numeric value.
    pub scores: Vec<Option<f64>>,
}

/// `metric`'s scores and the samples' ids of a details file in lighteval ≥ 0.11's nested layout,
/// reading the `doc.id` and `metric.<metric>` columns only. `None` when the file is of another
/// layout or lacks either column, or when a sample has no id or a score that is not a number:
/// the caller then reads whole rows.
pub fn ids_and_scores(file: &DetailsFile, metric: &str) -> Result<Option<IdScores>> {
    let score_column = format!("metric.{metric}");
    if file.layout() != DetailsLayout::Nested
        || !file.has_column("doc.id")
        || !file.has_column(&score_column)
    {
        return Ok(None);
    }
    let mut found = IdScores::default();
    for batch in file.batches(Some(&["doc.id", &score_column]), 8192)? {
        let batch = batch?;
        let field = |parent: &str, child: &str| {
            batch
                .column_by_name(parent)
                .and_then(|c| c.as_struct_opt())
                .and_then(|s| s.column_by_name(child))
                .cloned()
        };
        let (Some(ids), Some(scores)) = (field("doc", "id"), field("metric", metric)) else {
            return Ok(None);
        };
        let broken = |e: arrow::error::ArrowError| StoreError::parquet(file.path(), e);
        let ids = cast(&ids, &DataType::Utf8).map_err(broken)?;
        let ids = ids.as_string::<i32>();
        // Scores stored as lists or text are not one number: whole rows say what they hold.
        if !(scores.data_type().is_numeric() || scores.data_type() == &DataType::Boolean) {
            return Ok(None);
        }
        let scores = cast(&scores, &DataType::Float64).map_err(broken)?;
        let scores = scores.as_primitive::<Float64Type>();
        for row in 0..batch.num_rows() {
            if ids.is_null(row) || ids.value(row).is_empty() {
                return Ok(None);
            }
            found.ids.push(ids.value(row).to_owned());
            found
                .scores
                .push((!scores.is_null(row)).then(|| scores.value(row)));
        }
    }
    Ok(Some(found))
}

/// Every row's `doc.id` and metrics as [`Detail`]s holding nothing else, decoded column by
/// column from `doc.id` and `metric` (lighteval ≥ 0.11's nested layout) without building a row
/// object first: what paired tests need of each sample. `None` when the file is of another
/// layout, lacks either column, or has a metric that is not one number or flag (a corpus
/// metric's inputs): the caller then decodes whole rows.
pub fn id_metric_details(file: &DetailsFile) -> Result<Option<Vec<Detail>>> {
    if file.layout() != DetailsLayout::Nested
        || !file.has_column("doc.id")
        || !file.has_column("metric")
    {
        return Ok(None);
    }
    let mut details = Vec::with_capacity(usize::try_from(file.num_rows()).unwrap_or(0));
    for batch in file.batches(Some(&["doc.id", "metric"]), 8192)? {
        let batch = batch?;
        let ids = batch
            .column_by_name("doc")
            .and_then(|c| c.as_struct_opt())
            .and_then(|s| s.column_by_name("id"))
            .map(|ids| cast(ids, &DataType::Utf8))
            .transpose()
            .map_err(|e| StoreError::parquet(file.path(), e))?;
        let (Some(ids), Some(metrics)) = (
            ids,
            batch
                .column_by_name("metric")
                .and_then(|c| c.as_struct_opt()),
        ) else {
            return Ok(None);
        };
        let ids = ids.as_string::<i32>();
        let scalar = |t: &DataType| t.is_numeric() || t == &DataType::Boolean;
        if !metrics.columns().iter().all(|c| scalar(c.data_type())) {
            return Ok(None);
        }
        let names = metrics.column_names();
        for row in 0..batch.num_rows() {
            let mut detail = Detail::default();
            detail.doc.id = (!ids.is_null(row)).then(|| ids.value(row).to_owned());
            for (name, column) in names.iter().zip(metrics.columns()) {
                detail
                    .metric
                    .insert((*name).to_owned(), super::cell(column.as_ref(), row));
            }
            details.push(detail);
        }
    }
    Ok(Some(details))
}
