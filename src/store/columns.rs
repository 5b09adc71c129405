//! Details read column by column, without a row object per sample: the ids and scores a grid of
//! many runs needs, the ids and metrics of paired tests, and the columns a list of samples shows.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, ListArray, RecordBatch, StringArray};
use arrow_cast::cast;
use arrow_schema::{DataType, Field};

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
        let field = |parent: &str, child: &str| struct_field(&batch, parent, child);
        let (Some(ids), Some(scores)) = (field("doc", "id"), field("metric", metric)) else {
            return Ok(None);
        };
        let broken = |e: arrow_schema::ArrowError| StoreError::parquet(file.path(), e);
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
        let ids = struct_field(&batch, "doc", "id")
            .map(|ids| cast(&ids, &DataType::Utf8))
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

/// A batch of the columns a list of samples shows, typed once: `doc.id`, `doc.query`,
/// `doc.choices`, `doc.gold_index`, `model_response.text`, `model_response.logprobs` and each
/// `metric.*` (lighteval ≥ 0.11's nested layout). Rows are read in place, not copied out.
pub struct ListBatch {
    rows: usize,
    ids: Option<StringArray>,
    queries: Option<StringArray>,
    choices: Option<ListArray>,
    gold_index: GoldIndex,
    texts: Option<ListArray>,
    logprobs: Option<ListArray>,
    /// `(name, values)`; `None` values where a metric is not one number or flag.
    metrics: Vec<(String, Option<Float64Array>)>,
}

/// `doc.gold_index`, which lighteval writes as one int or a list of them.
enum GoldIndex {
    None,
    One(Int64Array),
    Many(ListArray),
}

impl ListBatch {
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn id(&self, row: usize) -> Option<&str> {
        text(self.ids.as_ref(), row)
    }

    pub fn query(&self, row: usize) -> &str {
        text(self.queries.as_ref(), row).unwrap_or_default()
    }

    /// The choices named by `gold_index`, as [`crate::model::Doc::golds`] gives them.
    pub fn golds(&self, row: usize) -> Vec<&str> {
        let indices: Vec<i64> = match &self.gold_index {
            GoldIndex::None => Vec::new(),
            GoldIndex::One(ints) => (!ints.is_null(row))
                .then(|| ints.value(row))
                .into_iter()
                .collect(),
            GoldIndex::Many(lists) => {
                let ints = lists.values().as_primitive::<Int64Type>();
                list_range(lists, row)
                    .into_iter()
                    .flatten()
                    .filter(|&i| !ints.is_null(i))
                    .map(|i| ints.value(i))
                    .collect()
            }
        };
        indices
            .into_iter()
            .filter_map(|i| usize::try_from(i).ok().and_then(|i| self.choice(row, i)))
            .collect()
    }

    fn choice(&self, row: usize, index: usize) -> Option<&str> {
        let choices = self.choices.as_ref()?;
        let range = list_range(choices, row)?;
        let at = range
            .start
            .checked_add(index)
            .filter(|&at| at < range.end)?;
        text(Some(choices.values().as_string::<i32>()), at)
    }

    /// What the model answered, as [`crate::model::Detail::prediction`] gives it: the first
    /// generation, or the choice with the highest log-probability.
    pub fn prediction(&self, row: usize) -> &str {
        if let Some(texts) = &self.texts
            && let Some(range) = list_range(texts, row).filter(|r| !r.is_empty())
        {
            return text(Some(texts.values().as_string::<i32>()), range.start).unwrap_or_default();
        }
        let Some(lists) = &self.logprobs else {
            return "";
        };
        let Some(range) = list_range(lists, row) else {
            return "";
        };
        let floats = lists.values().as_primitive::<Float64Type>();
        let values = range.map(|i| {
            if floats.is_null(i) {
                f64::NAN
            } else {
                floats.value(i)
            }
        });
        crate::model::chosen_choice(values)
            .and_then(|index| self.choice(row, index))
            .unwrap_or_default()
    }

    /// The `metric` struct's fields, in file order.
    pub fn metric_names(&self) -> impl Iterator<Item = &str> {
        self.metrics.iter().map(|(name, _)| name.as_str())
    }

    /// Where metric `name` is among [`ListBatch::metric_names`], to read it by [`ListBatch::metric`]
    /// without a lookup per row.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|(n, _)| n == name)
    }

    /// Metric number `index` of `row` as a number, as [`crate::model::Detail::metric_value`]
    /// gives it.
    pub fn metric(&self, index: usize, row: usize) -> Option<f64> {
        let values = self.metrics.get(index)?.1.as_ref()?;
        (!values.is_null(row)).then(|| values.value(row))
    }
}

fn text(array: Option<&StringArray>, row: usize) -> Option<&str> {
    let array = array?;
    (!array.is_null(row)).then(|| array.value(row))
}

/// Field `child` of the struct column `parent` (`doc.id`), if the batch has it.
fn struct_field(batch: &RecordBatch, parent: &str, child: &str) -> Option<ArrayRef> {
    batch
        .column_by_name(parent)
        .and_then(|c| c.as_struct_opt())
        .and_then(|s| s.column_by_name(child))
        .cloned()
}

/// Where row `row`'s items sit in a list column's values.
fn list_range(lists: &ListArray, row: usize) -> Option<std::ops::Range<usize>> {
    if lists.is_null(row) {
        return None;
    }
    let offsets = lists.value_offsets();
    Some(offsets[row] as usize..offsets[row + 1] as usize)
}

/// The list columns of a details file in batches of `batch_rows`, typed once per batch; `None`
/// when the file is not in the nested layout or stores a list column in an unexpected type (the
/// caller then decodes rows).
pub fn list_batches(
    file: &DetailsFile,
    batch_rows: usize,
) -> Result<Option<Box<dyn Iterator<Item = Result<ListBatch>> + Send>>> {
    if file.layout() != DetailsLayout::Nested || !file.has_column("doc.query") {
        return Ok(None);
    }
    let present = file.list_columns();
    let mut batches = file.batches(Some(&present), batch_rows)?.peekable();
    // The first batch says whether the types are the expected ones; an empty file has none.
    if let Some(Ok(first)) = batches.peek()
        && typed(file.path(), first).is_none()
    {
        return Ok(None);
    }
    let path = file.path().to_owned();
    Ok(Some(Box::new(batches.map(move |batch| {
        let batch = batch?;
        typed(&path, &batch).unwrap_or_else(|| {
            Err(StoreError::parquet(
                &path,
                "a batch's list columns changed type mid-file",
            ))
        })
    }))))
}

/// The batch's list columns in their canonical types, or `None` if one cannot be had.
fn typed(path: &std::path::Path, batch: &RecordBatch) -> Option<Result<ListBatch>> {
    let field = |parent: &str, child: &str| struct_field(batch, parent, child);
    let broken = |e: arrow_schema::ArrowError| StoreError::parquet(path, e);
    let strings = |array: Option<ArrayRef>| -> Option<Result<Option<StringArray>>> {
        let Some(array) = array else {
            return Some(Ok(None));
        };
        if !matches!(
            array.data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
        ) && !array.data_type().is_integer()
        {
            return None;
        }
        Some(
            cast(&array, &DataType::Utf8)
                .map(|a| Some(a.as_string::<i32>().clone()))
                .map_err(broken),
        )
    };
    let lists = |array: Option<ArrayRef>, item: DataType| -> Option<Result<Option<ListArray>>> {
        let Some(array) = array else {
            return Some(Ok(None));
        };
        if !matches!(
            array.data_type(),
            DataType::List(_) | DataType::LargeList(_) | DataType::Null
        ) {
            return None;
        }
        let to = DataType::List(Arc::new(Field::new("item", item, true)));
        Some(
            cast(&array, &to)
                .map(|a| Some(a.as_list::<i32>().clone()))
                .map_err(broken),
        )
    };
    let ids = match strings(field("doc", "id"))? {
        Ok(ids) => ids,
        Err(e) => return Some(Err(e)),
    };
    let queries = match strings(field("doc", "query"))? {
        Ok(q) => q,
        Err(e) => return Some(Err(e)),
    };
    let choices = match lists(field("doc", "choices"), DataType::Utf8)? {
        Ok(c) => c,
        Err(e) => return Some(Err(e)),
    };
    let texts = match lists(field("model_response", "text"), DataType::Utf8)? {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    let logprobs = match lists(field("model_response", "logprobs"), DataType::Float64)? {
        Ok(l) => l,
        Err(e) => return Some(Err(e)),
    };
    let gold_index = match field("doc", "gold_index") {
        None => GoldIndex::None,
        Some(g) if g.data_type().is_integer() => match cast(&g, &DataType::Int64) {
            Ok(ints) => GoldIndex::One(ints.as_primitive::<Int64Type>().clone()),
            Err(e) => return Some(Err(broken(e))),
        },
        Some(g) => match lists(Some(g), DataType::Int64)? {
            Ok(Some(l)) => GoldIndex::Many(l),
            Ok(None) => GoldIndex::None,
            Err(e) => return Some(Err(e)),
        },
    };
    let mut metrics = Vec::new();
    if let Some(fields) = batch
        .column_by_name("metric")
        .and_then(|c| c.as_struct_opt())
    {
        for (name, column) in fields.column_names().iter().zip(fields.columns()) {
            let numeric =
                column.data_type().is_numeric() || column.data_type() == &DataType::Boolean;
            let values = if numeric {
                match cast(column, &DataType::Float64) {
                    Ok(values) => Some(values.as_primitive::<Float64Type>().clone()),
                    Err(e) => return Some(Err(broken(e))),
                }
            } else {
                None
            };
            metrics.push(((*name).to_owned(), values));
        }
    }
    Some(Ok(ListBatch {
        rows: batch.num_rows(),
        ids,
        queries,
        choices,
        gold_index,
        texts,
        logprobs,
        metrics,
    }))
}
