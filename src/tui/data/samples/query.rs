//! Narrowing, ordering, searching and counting a Samples list: each walks the list's texts a
//! chunk at a time, in file order where it can.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::Verdict;
use crate::store::{FreqColumn, SampleTable};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Rows whose query, gold or prediction contains this text (case-insensitive).
    pub text: String,
    pub wrong_only: bool,
    pub sort: Option<MetricSort>,
}

/// The Samples list sorted by one metric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSort {
    /// Index into the table's metric columns.
    pub metric: usize,
    pub descending: bool,
}

/// Which way a search walks the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchDirection {
    Forward,
    Backward,
}

/// Where a search begins: on the cursor's row (incremental search, as the user types) or on the
/// next one (`n` / `N`, which must move).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchStart {
    AtCursor,
    AfterCursor,
}

/// What a finished search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    /// The position in the visible list, `None` when nothing matches.
    pub position: Option<usize>,
    /// Whether the search went past the end of the list and came round.
    pub wrapped: bool,
}

/// The visible rows for `query`, as indices into the table. `None` when cancelled.
pub fn filter_rows(
    table: &SampleTable,
    query: &ListQuery,
    cancel: &AtomicBool,
) -> Option<Vec<u32>> {
    let needle = query.text.to_lowercase();
    let mut rows = Vec::with_capacity(table.len());
    let mut texts = table.reader();
    for row in 0..table.len() {
        if row % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        if query.wrong_only && table.verdict(row) != Verdict::Wrong {
            continue;
        }
        if !needle.is_empty() {
            let (chunk, index) = texts.row(row);
            if !chunk.contains(index, &needle) {
                continue;
            }
        }
        rows.push(row as u32);
    }
    if let Some(MetricSort { metric, descending }) = query.sort {
        rows.sort_by(|&a, &b| {
            let (x, y) = (
                table.metric(metric, a as usize),
                table.metric(metric, b as usize),
            );
            crate::stats::cmp_nan_last(Some(x), Some(y), descending).then(a.cmp(&b))
        });
    }
    Some(rows)
}

/// Where a search lands: the position (in `visible`) of the next row containing `needle`
/// (lower-case), walking from `cursor` in `direction`. `None` when cancelled.
pub fn search_rows(
    table: &SampleTable,
    visible: &[u32],
    cursor: usize,
    needle: &str,
    direction: SearchDirection,
    start: SearchStart,
    cancel: &AtomicBool,
) -> Option<SearchHit> {
    let forward = direction == SearchDirection::Forward;
    let skip_current = start == SearchStart::AfterCursor;
    let len = visible.len();
    // The list's texts are read chunk by chunk in file order: a list in another order (sorted
    // by a metric) is matched in file order first, then walked in its own.
    let mut texts = table.reader();
    let in_file_order = visible.windows(2).all(|w| w[0] < w[1]);
    let matched: Option<Vec<bool>> = if in_file_order {
        None
    } else {
        let mut matched = vec![false; table.len()];
        for (row, hit) in matched.iter_mut().enumerate() {
            if row % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
                return None;
            }
            let (chunk, index) = texts.row(row);
            *hit = chunk.contains(index, needle);
        }
        Some(matched)
    };
    for step in 0..len {
        if step % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        let step = step + usize::from(skip_current);
        let position = if forward {
            (cursor + step) % len
        } else {
            (cursor + len * 2 - step) % len
        };
        let row = visible[position] as usize;
        let hit = match &matched {
            Some(matched) => matched[row],
            None => {
                let (chunk, index) = texts.row(row);
                chunk.contains(index, needle)
            }
        };
        if hit {
            let wrapped = if forward {
                position < cursor
            } else {
                position > cursor
            };
            return Some(SearchHit {
                position: Some(position),
                wrapped,
            });
        }
    }
    Some(SearchHit {
        position: None,
        wrapped: false,
    })
}

/// How often each value of a column appears among `rows`, most frequent first.
pub fn frequencies(table: &SampleTable, rows: &[u32], column: FreqColumn) -> Vec<(String, usize)> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut texts = table.reader();
    // Counts do not depend on order: rows in file order unpack each chunk once, where a list
    // sorted by a metric would unpack one for nearly every row.
    let mut in_file_order = rows.to_vec();
    in_file_order.sort_unstable();
    for row in in_file_order {
        let (chunk, index) = texts.row(row as usize);
        let text = chunk.column(column, index);
        match counts.get_mut(text) {
            Some(count) => *count += 1,
            None => {
                counts.insert(text.to_owned(), 1);
            }
        }
    }
    let mut counted: Vec<(String, usize)> = counts.into_iter().collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sample_table::tests::table_of;
    use crate::tui::data::samples::CHUNK_ROWS;

    /// A list sorted by a metric is searched in its own order, matched chunk by chunk.
    #[test]
    fn searching_a_sorted_list_finds_what_a_row_by_row_scan_finds() {
        let table = table_of(CHUNK_ROWS * 3);
        let mut visible: Vec<u32> = (0..table.len() as u32).collect();
        visible.sort_by_key(|&row| (row % 7, row));
        let cancel = AtomicBool::new(false);
        for needle in ["question 2051", "ünï", "id-1", "nothing like it"] {
            for cursor in [0, 100, visible.len() - 1] {
                let expected = (0..visible.len())
                    .map(|step| (cursor + step) % visible.len())
                    .find(|&position| {
                        let text = table.row_text(visible[position] as usize);
                        [text.query, text.gold, text.prediction, text.id]
                            .iter()
                            .any(|t| t.to_lowercase().contains(needle))
                    });
                let hit = search_rows(
                    &table,
                    &visible,
                    cursor,
                    needle,
                    SearchDirection::Forward,
                    SearchStart::AtCursor,
                    &cancel,
                )
                .unwrap();
                assert_eq!(hit.position, expected, "{needle} from {cursor}");
            }
        }
    }
}
