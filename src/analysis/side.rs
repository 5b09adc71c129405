//! One side of a comparison: a run, its results, and its samples read as the comparison needs
//! them (clustered, cached for a baseline, or ids and scores alone).

use std::collections::HashMap;

use super::pairing::{mean_over_epochs, name_sample_values};
use crate::model::{Detail, ResultsFile, TaskKey};
use crate::store::{Run, StoreError};

/// A run's results and, per task, its details (read only for tasks in both runs).
pub struct Side<'a> {
    pub run: &'a Run,
    pub results: Option<ResultsFile>,
    /// A sample field (`doc.specific.category`, `metadata.category`, `doc.subject`) whose values
    /// cluster the samples; standard errors of means are then clustered by it.
    pub cluster_by: Option<String>,
    /// Samples read once and kept, for a side compared with many others (a baseline).
    cache: Option<std::sync::Mutex<HashMap<String, Option<Vec<Detail>>>>>,
    /// Only the numbers: samples read for their ids and scores alone, no flips, no config
    /// changes (what `compare` needs of a diff).
    pub(crate) numbers_only: bool,
}

impl<'a> Side<'a> {
    pub fn load(run: &'a Run) -> Result<Self, StoreError> {
        let results = match (&run.results_path, &run.log) {
            (None, None) => None,
            // An lm-eval run of samples alone has no results to compare, and is still a run.
            (None, Some(_)) => run.load_results().ok(),
            _ => Some(run.load_results()?),
        };
        Ok(Side {
            run,
            results,
            cluster_by: None,
            cache: None,
            numbers_only: false,
        })
    }

    /// Reads only what the tests need (see [`Side::numbers_only`]).
    pub fn numbers_only(mut self) -> Self {
        self.numbers_only = true;
        self
    }

    /// Keeps each task's samples once read: for a baseline compared with many runs.
    pub fn caching(mut self) -> Self {
        self.cache = Some(std::sync::Mutex::new(HashMap::new()));
        self
    }

    /// Clusters samples by a field of theirs (see [`Side::cluster_by`]).
    pub fn clustered_by(mut self, path: Option<&str>) -> Self {
        self.cluster_by = path.map(str::to_owned);
        self
    }

    /// Task keys by their name and few-shot count, so `custom|quiz:geo|0` pairs with `quiz:geo|0`.
    pub(crate) fn tasks(&self) -> Vec<String> {
        let mut tasks: Vec<String> = self.results.as_ref().map_or_else(Vec::new, |r| {
            r.measured_tasks()
                .into_iter()
                .map(|k| k.as_str().to_owned())
                .collect()
        });
        for (task, _) in &self.run.details {
            if !tasks.contains(task) {
                tasks.push(task.clone());
            }
        }
        tasks
    }

    /// A task's samples as the comparison reads them (Inspect's epochs averaged per id, other
    /// harnesses' per-sample values named as their results metrics); `None` without details.
    pub fn samples(&self, task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
        let Some(mut rows) = self.details(task)? else {
            return Ok(None);
        };
        if let Some(results) = &self.results {
            name_sample_values(results, task, &mut rows);
        }
        Ok(Some(rows))
    }

    /// This run's key of the task another run calls `task` (`custom|quiz:geo|0` for
    /// `quiz:geo|0`).
    /// A name without its few-shot part (`quiz:geo`) finds the task when only one has it.
    pub fn matching_task(&self, task: &str) -> Option<String> {
        let tasks = self.tasks();
        if let Some(found) = tasks.iter().find(|t| pairing_key(t) == pairing_key(task)) {
            return Some(found.clone());
        }
        let mut by_name = tasks.iter().filter(|t| {
            let key = TaskKey::new(t.as_str());
            key.name() == task || key.without_fewshot() == task
        });
        match (by_name.next(), by_name.next()) {
            (Some(only), None) => Some(only.clone()),
            _ => None,
        }
    }

    pub(crate) fn details(&self, task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
        let Some(cache) = &self.cache else {
            return self.read_details(task);
        };
        if let Some(rows) = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(task)
        {
            return Ok(rows.clone());
        }
        let rows = self.read_details(task)?;
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(task.to_owned(), rows.clone());
        Ok(rows)
    }

    fn read_details(&self, task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
        if self.run.details_path(task).is_none() {
            return Ok(None);
        }
        let file = self.run.open_details(task)?;
        let mut rows = Vec::new();
        // The list columns, unless a cluster field (anywhere in the sample) must be read too.
        let columns = match (&self.cluster_by, self.numbers_only) {
            // Ids and numbers alone, column by column, where the file allows.
            (None, true) => crate::store::id_metric_details(&file)?,
            _ => None,
        };
        if let Some(columns) = columns {
            rows = columns;
        } else {
            let batches = match (&self.cluster_by, self.numbers_only) {
                (Some(_), _) => file.details(8192)?,
                (None, true) => file.pairing_details(8192)?,
                (None, false) => file.list_details(8192)?,
            };
            for batch in batches {
                rows.extend(batch?);
            }
        }
        // Read for their ids alone, samples without an id would pair by a content that was not
        // read: read them again with it.
        if self.numbers_only
            && self.cluster_by.is_none()
            && rows
                .iter()
                .any(|d| d.doc.id.as_deref().is_none_or(str::is_empty))
        {
            rows.clear();
            for batch in file.list_details(8192)? {
                rows.extend(batch?);
            }
        }
        if self.run.harness == crate::store::Harness::Inspect {
            rows = mean_over_epochs(rows);
        }
        Ok(Some(rows))
    }
}

pub(crate) fn pairing_key(task: &str) -> (String, Option<u32>) {
    let key = TaskKey::new(task);
    (key.name().to_owned(), key.fewshot())
}
