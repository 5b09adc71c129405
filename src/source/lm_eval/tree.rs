//! lm-eval's task tree: which rows of `results` are groups, how they nest, and the names lm-eval's
//! own table prints for them. The rules hold for every version since 0.3:
//!
//! - A group is a key of `groups`, or a key of `group_subtasks` whose list is not empty. From 0.4.2
//!   on, `group_subtasks` lists every top-level task too, with an empty list: that is a task.
//! - Groups nest (`mmlu` holds `mmlu_humanities`, which holds tasks).
//! - Files without `group_subtasks` (0.3, results-only dumps) still print the tree in `alias`:
//!   lm-eval writes a row at depth `d > 0` as `" " * d + "- " + alias`, children right after their
//!   parent, so the indentation gives the tree.
//! - A group without an aggregate is written as `{" ": " ", "alias": …}`: a header, not a metric.

use std::collections::{HashMap, HashSet};

use crate::model::{Json, Map};

/// How deep a tree is followed; lm-eval's own trees are two or three levels deep.
const MAX_DEPTH: usize = 64;

/// One row of the tree, in the order lm-eval's table prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub task: String,
    pub depth: usize,
    /// The top-level group this row sits under, or the row itself at the top.
    pub root: String,
    pub is_group: bool,
    /// lm-eval's display name: `alias` without its indentation, else the task.
    pub alias: String,
    /// What a table prints: the alias without the start it shares with its group's
    /// (`leaderboard_math_algebra_hard` under `leaderboard_math_hard` is `algebra_hard`), so
    /// sibling names stay apart at 80 columns.
    pub label: String,
    /// Whether `results` has an entry for the row (a group may be listed only in
    /// `group_subtasks`).
    pub in_results: bool,
}

/// The tree of a results document (`results`, `groups`, `group_subtasks`).
pub fn task_tree(source: &Map) -> Vec<TreeRow> {
    let results: Vec<(&str, Option<&Map>)> = source
        .get("results")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(task, entry)| (task.as_str(), entry.as_object()))
        .collect();
    let aliases: HashMap<&str, &str> = results
        .iter()
        .filter_map(|(task, entry)| Some((*task, (*entry)?.get("alias")?.as_str()?)))
        .collect();
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    let mut groups: HashSet<String> = source
        .get("groups")
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|g| g.keys().cloned())
        .collect();
    match source.get("group_subtasks").and_then(Json::as_object) {
        Some(listed) => {
            for (group, subtasks) in listed {
                let subtasks: Vec<String> = subtasks
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect();
                if !subtasks.is_empty() {
                    children.entry(group.clone()).or_default().extend(subtasks);
                }
            }
        }
        None => children = children_from_aliases(&results),
    }
    groups.extend(children.keys().cloned());
    let position: HashMap<&str, usize> = results
        .iter()
        .enumerate()
        .map(|(i, (task, _))| (*task, i))
        .collect();
    // Each row's first parent (in `results` order); a row's top ancestor is its root.
    let mut parent: HashMap<&str, &str> = HashMap::new();
    let mut listed_groups: Vec<&String> = children.keys().collect();
    listed_groups.sort_by_key(|g| (position.get(g.as_str()).copied().unwrap_or(usize::MAX), *g));
    for group in listed_groups {
        for sub in &children[group] {
            parent.entry(sub.as_str()).or_insert(group.as_str());
        }
    }
    // A file's nesting is bounded here, so a chain of groups (or a cycle) from a stranger's file
    // costs at most this many steps a row: deeper rows stay where the walk leaves them.
    let top = |task: &str| -> String {
        let mut at = task;
        for _ in 0..MAX_DEPTH {
            match parent.get(at) {
                Some(up) => at = up,
                None => break,
            }
        }
        at.to_owned()
    };
    // Roots in the order their first row comes in `results`; a group listed only in
    // `group_subtasks` takes the place of its first row.
    let mut roots: Vec<String> = Vec::new();
    let mut is_root: HashSet<String> = HashSet::new();
    for (task, _) in &results {
        let root = top(task);
        if is_root.insert(root.clone()) {
            roots.push(root);
        }
    }
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for root in &roots {
        // Depth first, without recursion: a deep file must not exhaust the stack.
        let mut stack: Vec<(&str, usize)> = vec![(root.as_str(), 0)];
        while let Some((task, depth)) = stack.pop() {
            if !seen.insert(task.to_owned()) {
                continue;
            }
            let in_results = position.contains_key(task);
            // A task that `results` lacks has nothing to show; a group it lacks is a header.
            if !in_results && !groups.contains(task) {
                continue;
            }
            rows.push(row(task, root, depth, &groups, &aliases, in_results));
            let Some(subtasks) = children.get(task).filter(|_| depth < MAX_DEPTH) else {
                continue;
            };
            // Children in the order `results` prints them; ones it lacks after, as listed.
            let mut ordered: Vec<(usize, usize, &str)> = subtasks
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    (
                        position.get(s.as_str()).copied().unwrap_or(usize::MAX),
                        i,
                        s.as_str(),
                    )
                })
                .collect();
            ordered.sort_unstable();
            stack.extend(ordered.into_iter().rev().map(|(_, _, s)| (s, depth + 1)));
        }
    }
    // Rows the tree did not reach (a cycle, a child of an unknown group) keep their place at the
    // end, at the top level.
    for (task, _) in &results {
        if !seen.contains(*task) {
            seen.insert(task.to_string());
            rows.push(row(task, task, 0, &groups, &aliases, true));
        }
    }
    // Rows come parent first: the last row one level up is a row's group.
    let mut open: Vec<String> = Vec::new();
    for row in &mut rows {
        open.truncate(row.depth);
        if let Some(parent) = open.last() {
            row.label = without_shared_start(&row.alias, parent).to_owned();
        }
        open.push(row.alias.clone());
    }
    rows
}

/// `name` without the start it shares with `parent`, cut after a separator (`_`, `-`, `:`,
/// space): `leaderboard_bbh_navigate` under `leaderboard_bbh` is `navigate`. A name that shares
/// nothing, or would be left empty, stays whole.
fn without_shared_start<'a>(name: &'a str, parent: &str) -> &'a str {
    let is_separator = |c: char| matches!(c, '_' | '-' | ':' | ' ');
    let shared = name
        .char_indices()
        .zip(parent.chars())
        .take_while(|((_, a), b)| a == b)
        .last()
        .map_or(0, |((i, c), _)| i + c.len_utf8());
    // The whole parent, followed by a separator in the name, is shared with that separator.
    let shared = if shared == parent.len() && name[shared..].starts_with(is_separator) {
        shared + 1
    } else {
        name[..shared].rfind(is_separator).map_or(0, |i| i + 1)
    };
    let rest = &name[shared..];
    if shared < 3 || rest.is_empty() {
        name
    } else {
        rest
    }
}

fn row(
    task: &str,
    root: &str,
    depth: usize,
    groups: &HashSet<String>,
    aliases: &HashMap<&str, &str>,
    in_results: bool,
) -> TreeRow {
    let alias = aliases
        .get(task)
        .map(|a| strip_indent(a).1)
        .filter(|a| !a.trim().is_empty())
        .unwrap_or(task);
    TreeRow {
        task: task.to_owned(),
        depth,
        root: root.to_owned(),
        is_group: groups.contains(task),
        alias: alias.to_owned(),
        label: alias.to_owned(),
        in_results,
    }
}

/// `"  - formal_logic"` → `(2, "formal_logic")`; an alias without lm-eval's `- ` is depth 0.
fn strip_indent(alias: &str) -> (usize, &str) {
    let spaces = alias.len() - alias.trim_start_matches(' ').len();
    match alias[spaces..].strip_prefix("- ") {
        Some(rest) if spaces > 0 => (spaces, rest),
        _ => (0, alias.trim()),
    }
}

/// The tree as the indentation of `alias` prints it, for files without `group_subtasks`: each
/// row's parent is the nearest row above it one level up.
fn children_from_aliases(results: &[(&str, Option<&Map>)]) -> HashMap<String, Vec<String>> {
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    // The last row seen at each depth.
    let mut open: Vec<&str> = Vec::new();
    for (task, entry) in results {
        let depth = entry
            .and_then(|e| e.get("alias"))
            .and_then(Json::as_str)
            .map_or(0, |a| strip_indent(a).0);
        // A row deeper than one below the last is read as one below: the file is the judge of
        // nesting, never of a gap.
        let depth = depth.min(open.len());
        open.truncate(depth);
        if let Some(parent) = open.last() {
            children
                .entry(parent.to_string())
                .or_default()
                .push(task.to_string());
        }
        open.push(task);
    }
    children
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pyjson;

    fn tree(text: &str) -> Vec<(String, usize, String, bool, String)> {
        let Ok(Json::Object(map)) = pyjson::parse(text) else {
            panic!("not an object")
        };
        task_tree(&map)
            .into_iter()
            .map(|r| (r.task, r.depth, r.root, r.is_group, r.alias))
            .collect()
    }

    #[test]
    fn an_empty_subtask_list_is_a_task_and_groups_nest() {
        let rows = tree(
            r#"{"results": {
                "hellaswag": {"alias": "hellaswag", "acc,none": 0.5},
                "mmlu": {"alias": "mmlu", "acc,none": 0.3},
                "mmlu_humanities": {"alias": " - humanities", "acc,none": 0.3},
                "mmlu_formal_logic": {"alias": "  - formal_logic", "acc,none": 0.2},
                "bbh": {" ": " ", "alias": "bbh"},
                "bbh_dates": {"alias": " - bbh_dates", "acc,none": 0.1}},
              "group_subtasks": {"hellaswag": [], "mmlu_humanities": ["mmlu_formal_logic"],
                "mmlu": ["mmlu_humanities"], "bbh": ["bbh_dates"]}}"#,
        );
        let want = [
            ("hellaswag", 0, "hellaswag", false, "hellaswag"),
            ("mmlu", 0, "mmlu", true, "mmlu"),
            ("mmlu_humanities", 1, "mmlu", true, "humanities"),
            ("mmlu_formal_logic", 2, "mmlu", false, "formal_logic"),
            ("bbh", 0, "bbh", true, "bbh"),
            ("bbh_dates", 1, "bbh", false, "bbh_dates"),
        ];
        let got: Vec<_> = rows
            .iter()
            .map(|(t, d, r, g, a)| (t.as_str(), *d, r.as_str(), *g, a.as_str()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_deep_chain_or_a_cycle_of_groups_is_bounded_and_loses_no_row() {
        let n = 20_000;
        let mut results = String::new();
        let mut subtasks = String::new();
        for i in 0..n {
            results.push_str(&format!(r#""g{i}": {{"acc,none": {i}}},"#));
            subtasks.push_str(&format!(r#""g{i}": ["g{}"],"#, (i + 1) % n));
        }
        let text = format!(
            r#"{{"results": {{{}}}, "group_subtasks": {{{}}}}}"#,
            results.trim_end_matches(','),
            subtasks.trim_end_matches(',')
        );
        let rows = tree(&text);
        assert_eq!(rows.len(), n, "every row once");
        let tasks: HashSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(tasks.len(), n);
        assert!(rows.iter().all(|r| r.1 <= MAX_DEPTH));
    }

    #[test]
    fn labels_drop_the_start_they_share_with_their_group() {
        for (name, parent, label) in [
            ("leaderboard_bbh_navigate", "leaderboard_bbh", "navigate"),
            (
                "leaderboard_math_algebra_hard",
                "leaderboard_math_hard",
                "algebra_hard",
            ),
            (
                "leaderboard_math_prealgebra_hard",
                "leaderboard_math_hard",
                "prealgebra_hard",
            ),
            ("formal_logic", "humanities", "formal_logic"),
            ("cola", "glue", "cola"),
            ("wmdp", "wmdp", "wmdp"),
            ("a_x", "a", "a_x"),
        ] {
            assert_eq!(
                without_shared_start(name, parent),
                label,
                "{name} under {parent}"
            );
        }
    }

    #[test]
    fn without_group_subtasks_the_alias_indentation_gives_the_tree() {
        let rows = tree(
            r#"{"results": {
                "glue": {"alias": "glue", "acc,none": 0.4},
                "cola": {"alias": " - cola", "mcc,none": 0.0},
                "mnli": {"alias": " - mnli", "acc,none": 0.3},
                "lambada": {"alias": "lambada", "acc,none": 0.6}}}"#,
        );
        let got: Vec<_> = rows
            .iter()
            .map(|(t, d, _, g, _)| (t.as_str(), *d, *g))
            .collect();
        assert_eq!(
            got,
            [
                ("glue", 0, true),
                ("cola", 1, false),
                ("mnli", 1, false),
                ("lambada", 0, false)
            ]
        );
    }

    #[test]
    fn a_group_listed_only_in_group_subtasks_becomes_a_header_and_rows_are_never_lost() {
        let rows = tree(
            r#"{"results": {"a": {"acc,none": 1}, "b": {"acc,none": 0}, "c": {"acc,none": 0}},
                "group_subtasks": {"g": ["a", "b"], "x": ["y"], "b": ["a"]}}"#,
        );
        let tasks: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(tasks, ["g", "a", "b", "c"]);
        assert!(rows.iter().any(|r| r.0 == "g" && r.3));
    }
}
