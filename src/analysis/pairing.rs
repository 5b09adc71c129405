//! Which samples of two runs are the same sample: pairing by id or content, Inspect's epochs
//! averaged per id, other harnesses' per-sample values named as their results metrics, and the
//! cluster a sample belongs to.

use std::collections::HashMap;

use crate::model::{Detail, Json, ResultsFile, SampleIdentity};

/// A sample's cluster: the value at `path` (dotted) in the sample as lighteval's details hold it
/// (`doc.specific.category`), or in another harness's own fields (`metadata.category` in
/// Inspect, `doc.subject` in lm-eval); a bare key is also looked up in Inspect's metadata and
/// lm-eval's doc. `None` when the sample has no such field.
pub fn cluster_of(detail: &Detail, path: &str) -> Option<String> {
    let walk = |root: &Json| -> Option<Json> {
        let mut at = root;
        for key in path.split('.') {
            at = at.get(key)?;
        }
        (!at.is_null()).then(|| at.clone())
    };
    let specific = &detail.doc.specific;
    let found = walk(&crate::store::detail_to_json(detail))
        .or_else(|| walk(specific))
        .or_else(|| {
            (!path.contains('.'))
                .then(|| {
                    ["metadata", "doc"]
                        .iter()
                        .find_map(|section| specific.get(section)?.get(path).cloned())
                })
                .flatten()
                .filter(|v| !v.is_null())
        })?;
    Some(match found {
        Json::Str(text) => text,
        other => crate::model::pyjson::to_string(
            &other,
            crate::model::pyjson::WriteOptions::STRICT_COMPACT,
        ),
    })
}

/// One row per sample id, each numeric metric averaged over the sample's epochs (Inspect's
/// default epoch reduction): paired tests then count samples, not sample-epochs.
pub fn mean_over_epochs(rows: Vec<Detail>) -> Vec<Detail> {
    let mut order: Vec<Detail> = Vec::new();
    let mut index: HashMap<crate::model::SampleIdentity, (usize, usize)> = HashMap::new();
    for row in rows {
        match index.get_mut(&row.doc.identity()) {
            Some((at, count)) => {
                *count += 1;
                let n = *count as f64;
                let kept = &mut order[*at];
                for (name, value) in &row.metric {
                    let (Some(new), Some(old)) = (
                        value.as_f64(),
                        kept.metric.get(name).and_then(crate::model::Json::as_f64),
                    ) else {
                        continue;
                    };
                    // A running mean, so three epochs weigh alike.
                    kept.metric.insert(
                        name.clone(),
                        crate::model::Json::Float(old + (new - old) / n),
                    );
                }
            }
            None => {
                index.insert(row.doc.identity(), (order.len(), 1));
                order.push(row);
            }
        }
    }
    order
}

/// Gives each results metric of another harness its per-sample values under its own name:
/// Inspect's `accuracy` is its scorer's value, lm-eval's `exact_match,strict-match` is
/// `exact_match` on the `strict-match` lines (other lines do not carry it).
pub(crate) fn name_sample_values(results: &ResultsFile, task: &str, rows: &mut [Detail]) {
    for (metric, source) in results.sample_metrics(task) {
        for row in rows.iter_mut() {
            let on_its_lines = match &source.filter {
                Some(filter) => {
                    row.doc.specific.get("filter").and_then(|f| f.as_str()) == Some(filter.as_str())
                }
                None => true,
            };
            if on_its_lines && let Some(value) = row.metric.get(&source.key).cloned() {
                row.metric.insert(metric.clone(), value);
            }
        }
    }
}

/// How a sample is matched: its `doc.id`, borrowed, or the content hash when it has none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PairKey<'a> {
    Id(&'a str),
    Content(SampleIdentity),
}

fn pair_key(detail: &Detail) -> PairKey<'_> {
    match detail.doc.id.as_deref() {
        Some(id) if !id.is_empty() => PairKey::Id(id),
        _ => PairKey::Content(detail.doc.identity()),
    }
}

/// Pairs rows of A and B by sample identity; returns pairs and the rows only in A, only in B.
/// Repeated identities pair in order. B's rows with one identity are chained through `next`,
/// so pairing allocates a map and two index arrays, not a queue per sample.
pub fn pair_samples(a: &[Detail], b: &[Detail]) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    const NONE: u32 = u32::MAX;
    let mut heads: HashMap<PairKey, u32> = HashMap::with_capacity(b.len());
    let mut next = vec![NONE; b.len()];
    // Built backwards, so each chain lists its rows in file order.
    for (j, detail) in b.iter().enumerate().rev() {
        let head = heads.entry(pair_key(detail)).or_insert(NONE);
        next[j] = *head;
        *head = j as u32;
    }
    let mut used = vec![false; b.len()];
    let mut pairs = Vec::with_capacity(a.len());
    let mut only_a = Vec::new();
    for (i, detail) in a.iter().enumerate() {
        match heads
            .get_mut(&pair_key(detail))
            .filter(|head| **head != NONE)
        {
            Some(head) => {
                let j = *head as usize;
                *head = next[j];
                used[j] = true;
                pairs.push((i, j));
            }
            None => only_a.push(i),
        }
    }
    let only_b = (0..b.len()).filter(|&j| !used[j]).collect();
    (pairs, only_a, only_b)
}
