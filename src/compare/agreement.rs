//! Sample agreement across runs: one row per sample of the baseline's task, one cell per run,
//! each `✓` / `✗` / `~` from the sample's score, paired with the baseline's sample as `diff`
//! pairs them. Filters find the samples hard for every run, those only the baseline gets right,
//! those the runs disagree on, and the flips between two runs.
//!
//! The grid comes in two steps, so that its first frame waits for scores alone: [`agreement`]
//! reads the baseline's list columns and every other run's ids and metrics; [`add_predictions`]
//! then reads the other runs' predictions.

use crate::analysis::{Side, pair_samples};
use crate::model::{Detail, Verdict};
use crate::store::{Run, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct AgreementCell {
    pub score: Option<f64>,
    pub verdict: Verdict,
    /// `None` until [`add_predictions`] has read it (the baseline's comes at once).
    pub prediction: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgreementRow {
    pub id: String,
    pub input: String,
    pub target: String,
    /// One per run; `None` where a run has no such sample.
    pub cells: Vec<Option<AgreementCell>>,
}

#[derive(Debug, Clone, Default)]
pub struct Agreement {
    /// `model @ date_id`, in column order.
    pub columns: Vec<String>,
    pub baseline: usize,
    pub task: String,
    /// The score each cell's verdict is read from.
    pub metric: String,
    pub rows: Vec<AgreementRow>,
    /// Every cell's prediction has been read.
    pub predictions: bool,
}

/// Which rows a grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementFilter {
    All,
    /// Every run that has the sample got it wrong.
    HardForAll,
    /// The baseline right, every other run wrong.
    OnlyBaselineRight,
    /// The runs do not all agree.
    Disagree,
    /// Right in one column and wrong in the other, or the other way round.
    Flip(usize, usize),
}

impl AgreementFilter {
    pub fn label(self) -> String {
        match self {
            AgreementFilter::All => "all samples".into(),
            AgreementFilter::HardForAll => "wrong in every run".into(),
            AgreementFilter::OnlyBaselineRight => "only the baseline right".into(),
            AgreementFilter::Disagree => "runs disagree".into(),
            AgreementFilter::Flip(a, b) => format!("flips between {} and {}", a + 1, b + 1),
        }
    }
}

/// A filter that names no rows: not one of the names, or columns the grid does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadFilter {
    #[error("`{0}`: expected all, hard, baseline-only, disagree or flip:A,B (columns from 1)")]
    Unknown(String),
    #[error("flip:{},{}: columns are numbered 1 to {columns}", .a + 1, .b + 1)]
    NoSuchColumn { a: usize, b: usize, columns: usize },
}

/// `all`, `hard`, `baseline-only`, `disagree` or `flip:A,B` (columns numbered from 1), as
/// `compare --samples --filter` takes it.
impl std::str::FromStr for AgreementFilter {
    type Err = BadFilter;

    fn from_str(text: &str) -> Result<Self, BadFilter> {
        Ok(match text {
            "all" => AgreementFilter::All,
            "hard" => AgreementFilter::HardForAll,
            "baseline-only" => AgreementFilter::OnlyBaselineRight,
            "disagree" => AgreementFilter::Disagree,
            other => {
                let column = |c: &str| match c.trim().parse::<usize>() {
                    Ok(n) if n >= 1 => Some(n - 1),
                    _ => None,
                };
                other
                    .strip_prefix("flip:")
                    .and_then(|p| p.split_once(','))
                    .and_then(|(a, b)| Some(AgreementFilter::Flip(column(a)?, column(b)?)))
                    .ok_or_else(|| BadFilter::Unknown(other.to_owned()))?
            }
        })
    }
}

impl AgreementFilter {
    /// The filter, if its columns are among a grid's `columns`.
    pub fn within(self, columns: usize) -> Result<Self, BadFilter> {
        match self {
            AgreementFilter::Flip(a, b) if a >= columns || b >= columns => {
                Err(BadFilter::NoSuchColumn { a, b, columns })
            }
            filter => Ok(filter),
        }
    }
}

impl Agreement {
    pub fn matches(&self, row: &AgreementRow, filter: AgreementFilter) -> bool {
        let verdicts: Vec<Verdict> = row.cells.iter().flatten().map(|c| c.verdict).collect();
        let at = |i: usize| row.cells.get(i).and_then(|c| c.as_ref()).map(|c| c.verdict);
        match filter {
            AgreementFilter::All => true,
            AgreementFilter::HardForAll => {
                !verdicts.is_empty() && verdicts.iter().all(|v| *v == Verdict::Wrong)
            }
            AgreementFilter::OnlyBaselineRight => {
                at(self.baseline) == Some(Verdict::Right)
                    && row
                        .cells
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != self.baseline)
                        .all(|(_, c)| c.as_ref().is_some_and(|c| c.verdict == Verdict::Wrong))
            }
            AgreementFilter::Disagree => verdicts.windows(2).any(|w| w[0] != w[1]),
            AgreementFilter::Flip(a, b) => matches!(
                (at(a), at(b)),
                (Some(Verdict::Right), Some(Verdict::Wrong))
                    | (Some(Verdict::Wrong), Some(Verdict::Right))
            ),
        }
    }
}

/// The agreement of `runs` on the baseline's `task`, scored by `metric` (default: the task's
/// first metric in the baseline's results). Only the baseline's predictions are read here.
pub fn agreement(
    runs: &[Run],
    baseline: usize,
    task: &str,
    metric: Option<&str>,
) -> Result<Agreement, StoreError> {
    // The baseline's list columns give each row its input and target; the other runs' ids and
    // metrics are all their cells need.
    let sides: Vec<Side> = runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let side = Side::load(run)?;
            Ok(if i == baseline {
                side
            } else {
                side.numbers_only()
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let base = &sides[baseline];
    let Some(base_task) = base.matching_task(task) else {
        return Err(StoreError::TaskNotFound {
            model: runs[baseline].model.clone(),
            date_id: runs[baseline].date_id.clone(),
            task: task.to_owned(),
            available: String::new(),
        });
    };
    let base_rows = base.samples(&base_task)?.unwrap_or_default();
    let metric = match metric {
        Some(metric) => metric.to_owned(),
        None => base
            .results
            .as_ref()
            .and_then(|r| r.row(&base_task))
            .and_then(|row| row.metrics().first().map(|m| m.metric.to_owned()))
            .or_else(|| {
                base_rows
                    .first()
                    .and_then(|d| d.metric.keys().next().cloned())
            })
            .unwrap_or_default(),
    };
    let mut rows: Vec<AgreementRow> = base_rows
        .iter()
        .map(|d| AgreementRow {
            id: d.doc.id.clone().unwrap_or_default(),
            input: d.doc.query.clone(),
            target: d.doc.golds().join(" | "),
            cells: vec![None; sides.len()],
        })
        .collect();
    let cell = |score: Option<f64>, prediction: Option<String>| AgreementCell {
        score,
        verdict: Verdict::of_score(score),
        prediction,
    };
    for (i, detail) in base_rows.iter().enumerate() {
        let score = detail.metric_value(&metric);
        rows[i].cells[baseline] = Some(cell(score, Some(detail.prediction().text().to_owned())));
    }
    // Samples pair by id when every baseline sample has one: each other run's ids and scores
    // are then read from those two columns alone, runs in parallel.
    let base_ids: Option<Vec<&str>> = base_rows
        .iter()
        .map(|d| d.doc.id.as_deref().filter(|id| !id.is_empty()))
        .collect();
    let others: Vec<usize> = (0..sides.len()).filter(|&c| c != baseline).collect();
    let columns = crate::stats::parallel_map(&others, |&column| {
        let side = &sides[column];
        if let Some(base_ids) = &base_ids
            && let Some(own) = scores_by_id(side, &base_task, &metric)?
        {
            let pairs = pair_ids(base_ids, &own.ids);
            return Ok(pairs.into_iter().map(|(i, j)| (i, own.scores[j])).collect());
        }
        let own = own_samples(side, &base_task)?.unwrap_or_default();
        let (pairs, _, _) = pair_samples(&base_rows, &own);
        Ok::<_, StoreError>(
            pairs
                .into_iter()
                .map(|(i, j)| (i, own[j].metric_value(&metric)))
                .collect::<Vec<_>>(),
        )
    });
    for (&column, scores) in others.iter().zip(columns) {
        for (i, score) in scores? {
            rows[i].cells[column] = Some(cell(score, None));
        }
    }
    Ok(Agreement {
        columns: runs
            .iter()
            .map(|r| format!("{} @ {}", r.model, r.date_id))
            .collect(),
        baseline,
        task: base_task,
        metric,
        rows,
        predictions: runs.len() == 1,
    })
}

/// Reads the predictions of every run but the baseline into `grid`, which [`agreement`] made of
/// the same `runs`. Samples pair as they did there: by the ids the grid's rows keep, or, when a
/// baseline sample has none, by content, the baseline's rows read again for it.
pub fn add_predictions(runs: &[Run], grid: &mut Agreement) -> Result<(), StoreError> {
    let base_ids: Option<Vec<String>> = grid
        .rows
        .iter()
        .map(|r| Some(r.id.clone()).filter(|id| !id.is_empty()))
        .collect();
    let base_rows = match base_ids {
        Some(_) => Vec::new(),
        None => Side::load(&runs[grid.baseline])?
            .samples(&grid.task)?
            .unwrap_or_default(),
    };
    for (column, run) in runs.iter().enumerate() {
        if column == grid.baseline {
            continue;
        }
        let side = Side::load(run)?;
        let Some(own) = own_samples(&side, &grid.task)? else {
            continue;
        };
        let pairs = match &base_ids {
            Some(ids) => {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let own_ids: Vec<String> = own
                    .iter()
                    .map(|d| d.doc.id.clone().unwrap_or_default())
                    .collect();
                pair_ids(&ids, &own_ids)
            }
            None => pair_samples(&base_rows, &own).0,
        };
        for (i, j) in pairs {
            if let Some(Some(cell)) = grid.rows.get_mut(i).map(|r| &mut r.cells[column]) {
                cell.prediction = Some(own[j].prediction().text().to_owned());
            }
        }
    }
    grid.predictions = true;
    Ok(())
}

/// `side`'s ids and `metric` scores of the task the baseline calls `base_task`, read from those
/// columns alone; `None` where whole rows must be read (another harness, another layout).
fn scores_by_id(
    side: &Side,
    base_task: &str,
    metric: &str,
) -> Result<Option<crate::store::IdScores>, StoreError> {
    if side.run.log.is_some() {
        return Ok(None);
    }
    match side.matching_task(base_task) {
        Some(own) if side.run.details_path(&own).is_some() => {
            crate::store::ids_and_scores(&side.run.open_details(&own)?, metric)
        }
        // No such task, or no samples of it: no cells.
        _ => Ok(Some(crate::store::IdScores::default())),
    }
}

/// Pairs samples by id, as [`pair_samples`] does: repeated ids pair in order.
fn pair_ids(base: &[&str], own: &[String]) -> Vec<(usize, usize)> {
    let mut rows_of: std::collections::HashMap<&str, std::collections::VecDeque<usize>> =
        std::collections::HashMap::with_capacity(own.len());
    for (j, id) in own.iter().enumerate() {
        rows_of.entry(id.as_str()).or_default().push_back(j);
    }
    base.iter()
        .enumerate()
        .filter_map(|(i, id)| Some((i, rows_of.get_mut(id)?.pop_front()?)))
        .collect()
}

/// `side`'s samples of the task the baseline calls `base_task`, if it has it.
fn own_samples(side: &Side, base_task: &str) -> Result<Option<Vec<Detail>>, StoreError> {
    match side.matching_task(base_task) {
        Some(own) => side.samples(&own),
        None => Ok(None),
    }
}
