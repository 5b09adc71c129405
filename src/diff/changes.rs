//! What changed between two runs besides the numbers: task versions, the general config (model
//! config, generation parameters, few-shot seeds, max samples) and task configs (metrics and their
//! aggregations, few-shot, splits). Memory addresses in Python renderings (`… object at 0x7f…>`)
//! differ on every run and are not changes.

use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map, ResultsFile, TaskKey};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where: `version of quiz:geo|0`, `generation_parameters.temperature`, …
    pub what: String,
    pub a: String,
    pub b: String,
}

/// `<X object at 0x7f9c…>` → `<X object at 0x…>`.
pub fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" at 0x") {
        out.push_str(&rest[..at + 6]);
        out.push('…');
        rest = rest[at + 6..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

fn render(value: Option<&Json>) -> String {
    value.map_or_else(
        || "—".to_owned(),
        |v| without_addresses(&pyjson::to_string(v, WriteOptions::STRICT_COMPACT)),
    )
}

fn compare_maps(prefix: &str, a: Option<&Map>, b: Option<&Map>, changes: &mut Vec<Change>) {
    let empty = Map::new();
    let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    for key in keys {
        let (va, vb) = (render(a.get(key)), render(b.get(key)));
        if va != vb {
            changes.push(Change {
                what: format!("{prefix}{key}"),
                a: va,
                b: vb,
            });
        }
    }
}

pub fn config_changes(a: Option<&ResultsFile>, b: Option<&ResultsFile>) -> Vec<Change> {
    let (Some(a), Some(b)) = (a, b) else {
        return Vec::new();
    };
    if a.harness() != "lighteval" || b.harness() != "lighteval" {
        return log_config_changes(a, b);
    }
    let mut changes = Vec::new();
    let (ga, gb) = (a.general(), b.general());
    for key in [
        "model_name",
        "num_fewshot_seeds",
        "max_samples",
        "model_sha",
        "model_dtype",
    ] {
        let (va, vb) = (render(ga.raw().get(key)), render(gb.raw().get(key)));
        if va != vb {
            changes.push(Change {
                what: key.to_owned(),
                a: va,
                b: vb,
            });
        }
    }
    let without_generation = |m: Option<&Map>| -> Option<Map> {
        m.map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "generation_parameters" && *k != "model_name")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
    };
    compare_maps(
        "model_config.",
        without_generation(ga.model_config()).as_ref(),
        without_generation(gb.model_config()).as_ref(),
        &mut changes,
    );
    compare_maps(
        "generation_parameters.",
        ga.generation_parameters(),
        gb.generation_parameters(),
        &mut changes,
    );
    for task in a.measured_tasks() {
        let key = TaskKey::new(task.as_str());
        let Some(task_b) = b
            .measured_tasks()
            .into_iter()
            .find(|t| t.name() == key.name() && t.fewshot() == key.fewshot())
        else {
            continue;
        };
        version_change(a, b, task.as_str(), task_b.as_str(), &mut changes);
        let (Some(ca), Some(cb)) = (a.task_config(task.as_str()), b.task_config(task_b.as_str()))
        else {
            continue;
        };
        let metrics = |c: crate::model::TaskConfig| -> String {
            c.metrics()
                .iter()
                .map(|m| {
                    format!(
                        "{}:{}",
                        m.names.join("+"),
                        m.aggregation().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let pairs = [
            ("metrics", metrics(ca), metrics(cb)),
            (
                "num_fewshots",
                render(ca.raw().get("num_fewshots")),
                render(cb.raw().get("num_fewshots")),
            ),
            (
                "evaluation_splits",
                ca.evaluation_splits().join(","),
                cb.evaluation_splits().join(","),
            ),
            (
                "few_shots_split",
                render(ca.raw().get("few_shots_split")),
                render(cb.raw().get("few_shots_split")),
            ),
        ];
        for (what, va, vb) in pairs {
            if va != vb {
                changes.push(Change {
                    what: format!("{what} of {task}"),
                    a: va,
                    b: vb,
                });
            }
        }
    }
    changes
}

fn version_change(
    a: &ResultsFile,
    b: &ResultsFile,
    task_a: &str,
    task_b: &str,
    changes: &mut Vec<Change>,
) {
    let (va, vb) = (a.task_version_text(task_a), b.task_version_text(task_b));
    if va != vb {
        let show = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
        changes.push(Change {
            what: format!("version of {task_a}"),
            a: show(va),
            b: show(vb),
        });
    }
}

/// Keys that identify one run (its ids, times, log path), not how it was run: they differ on
/// every run and are not changes.
const PER_RUN_KEYS: [&str; 12] = [
    "date",
    "total_evaluation_time_seconds",
    "run_id",
    "eval_id",
    "task_id",
    "created",
    "stats",
    "log",
    "start_time",
    "end_time",
    "upper_git_hash",
    "dataset",
];

/// Changes between runs of other harnesses (or of two harnesses): the harness, the run's
/// settings, and each shared task's version and config, key by key.
fn log_config_changes(a: &ResultsFile, b: &ResultsFile) -> Vec<Change> {
    let mut changes = Vec::new();
    if a.harness() != b.harness() {
        changes.push(Change {
            what: "harness".into(),
            a: a.harness().to_owned(),
            b: b.harness().to_owned(),
        });
    }
    let settings = |r: &ResultsFile| -> Map {
        r.general()
            .raw()
            .iter()
            .filter(|(k, _)| !PER_RUN_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    compare_maps("", Some(&settings(a)), Some(&settings(b)), &mut changes);
    let task_config = |r: &ResultsFile, task: &str| -> Option<Map> {
        let config = r.as_map().get("config_tasks")?.get(task)?.as_object()?;
        Some(
            config
                .iter()
                .filter(|(k, _)| !PER_RUN_KEYS.contains(&k.as_str()) && *k != "version")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    };
    let b_tasks = b.measured_tasks();
    for task in a.measured_tasks() {
        let Some(task_b) = b_tasks.iter().find(|t| t.as_str() == task.as_str()) else {
            continue;
        };
        version_change(a, b, task.as_str(), task_b.as_str(), &mut changes);
        compare_maps(
            &format!("{task}."),
            task_config(a, task.as_str()).as_ref(),
            task_config(b, task_b.as_str()).as_ref(),
            &mut changes,
        );
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_not_changes() {
        assert_eq!(
            without_addresses("<lighteval.X object at 0x7faab3b37bd0>"),
            without_addresses("<lighteval.X object at 0x7f0011223344>")
        );
        assert_eq!(without_addresses("mean"), "mean");
    }
}
