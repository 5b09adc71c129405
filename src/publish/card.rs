//! The dataset card (`README.md`) of a details repo, rebuilt from the repo's file list after each
//! push, with lighteval's structure: YAML `configs` with one config per task (one split per run
//! plus `latest`), a `results` config, an aggregated config per multi-task suite, and a body with
//! the latest results and how to load them.
//!
//! Where lighteval's card is wrong, this one is right, and says the same thing otherwise: the load
//! snippet names a split that exists (`latest`, not `train`), the `results` config's `latest` is
//! the newest results file (not the newest details date), a run without details still gets a
//! card, and details paths are exact rather than `**/` globs.

use std::collections::BTreeMap;

use crate::model::pyjson::{self, NonFinite, WriteOptions};
use crate::model::{Json, Map};

/// A file of the repo, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoEntry {
    ResultsJson { date: String },
    ResultsParquet { date: String },
    Details { task: String, date: String },
}

/// Reads a repo path the way lighteval names its files: `results_{date}.json`,
/// `results_{date}.parquet`, and `…/details_{task}_{date}.parquet`, where the task is the
/// shortest prefix followed by `_` and a date (`\d+-\d+-\d+T…`).
pub fn classify(path: &str) -> Option<RepoEntry> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some(date) = name
        .strip_prefix("results_")
        .and_then(|rest| rest.strip_suffix(".json"))
    {
        return looks_like_date(date).then(|| RepoEntry::ResultsJson { date: date.into() });
    }
    if let Some(date) = name
        .strip_prefix("results_")
        .and_then(|rest| rest.strip_suffix(".parquet"))
    {
        return looks_like_date(date).then(|| RepoEntry::ResultsParquet { date: date.into() });
    }
    let rest = name.strip_prefix("details_")?.strip_suffix(".parquet")?;
    rest.match_indices('_').find_map(|(at, _)| {
        let (task, date) = (&rest[..at], &rest[at + 1..]);
        (!task.is_empty() && looks_like_date(date)).then(|| RepoEntry::Details {
            task: task.into(),
            date: date.into(),
        })
    })
}

/// `\d+-\d+-\d+T.*`: what lighteval's regex accepts as a date id.
fn looks_like_date(text: &str) -> bool {
    let Some((day, _)) = text.split_once('T') else {
        return false;
    };
    let parts: Vec<&str> = day.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Python's `re.sub(r"\W", "_", name)`: the config name of a task.
pub fn config_name(task: &str) -> String {
    task.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Python's `re.sub(r"[^\w\.]", "_", date)`: the split name of a run.
pub fn split_name(date: &str) -> String {
    date.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `2025-01-01T10-00-00.123456` as the ISO time it stands for, `2025-01-01T10:00:00.123456`.
pub fn date_as_iso(date: &str) -> String {
    match date.split_once('T') {
        Some((day, time)) => format!("{day}T{}", time.replacen('-', ":", 2)),
        None => date.into(),
    }
}

/// The suite of a task that has subtasks, with its few-shot part: `mmlu:anatomy|5` → `mmlu|5`,
/// and lighteval ≤ 0.10's `lighteval|mmlu:anatomy|5` → `lighteval|mmlu|5`.
fn suite_of(task: &str) -> Option<String> {
    let parts: Vec<&str> = task.split('|').collect();
    let with_subtask = parts.iter().position(|p| p.contains(':'))?;
    let mut suite = parts.clone();
    suite[with_subtask] = parts[with_subtask].split(':').next().unwrap_or_default();
    Some(suite.join("|"))
}

/// One config of the card's YAML: its splits in order, each with its files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub splits: Vec<(String, Vec<String>)>,
}

impl Config {
    fn add(&mut self, split: &str, path: &str) {
        match self.splits.iter_mut().find(|(name, _)| name == split) {
            Some((_, paths)) => paths.push(path.into()),
            None => self.splits.push((split.into(), vec![path.into()])),
        }
    }
}

/// The card's configs, by name (sorted, as `datasets` writes them).
pub fn configs(files: &[String]) -> BTreeMap<String, Config> {
    let mut details: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut results: Vec<(String, String)> = Vec::new();
    for path in files {
        match classify(path) {
            Some(RepoEntry::Details { task, date }) => {
                details.entry(task).or_default().push((date, path.clone()))
            }
            Some(RepoEntry::ResultsParquet { date }) => results.push((date, path.clone())),
            _ => {}
        }
    }
    let mut configs = BTreeMap::new();
    let mut suites: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for runs in details.values_mut() {
        runs.sort();
    }
    for (task, runs) in &details {
        let config: &mut Config = configs.entry(config_name(task)).or_default();
        for (date, path) in runs.iter() {
            config.add(&split_name(date), path);
        }
        if let Some((_, path)) = runs.last() {
            config.add("latest", path);
        }
        if let Some(suite) = suite_of(task) {
            suites.entry(suite).or_default().push(task);
        }
    }
    // lighteval's aggregated config for suites such as MMLU: every subtask of a run in one split.
    for (suite, tasks) in suites {
        let name = config_name(&suite);
        if tasks.len() < 2 || configs.contains_key(&name) {
            continue;
        }
        let mut aggregated = Config::default();
        let mut runs: Vec<(&String, &String)> = tasks
            .iter()
            .flat_map(|t| details[*t].iter().map(|(d, p)| (d, p)))
            .collect();
        runs.sort();
        for (date, path) in runs {
            aggregated.add(&split_name(date), path);
        }
        for task in &tasks {
            if let Some((_, path)) = details[*task].last() {
                aggregated.add("latest", path);
            }
        }
        configs.insert(name, aggregated);
    }
    if !results.is_empty() {
        results.sort();
        let config = configs.entry("results".to_owned()).or_default();
        for (date, path) in &results {
            config.add(&split_name(date), path);
        }
        config.add("latest", &results.last().unwrap().1);
    }
    configs
}

/// What the card is made from.
pub struct CardInput<'a> {
    pub repo_id: &'a str,
    pub model_name: &'a str,
    /// Every file of the repo after the push.
    pub files: &'a [String],
    /// The newest results file's path in the repo and its `results` section.
    pub latest_results: Option<(&'a str, &'a Map)>,
    /// Base URL of the Hub, for the links.
    pub endpoint: &'a str,
}

pub fn build(input: &CardInput) -> String {
    let configs = configs(input.files);
    let model = input.model_name;
    let runs = input
        .files
        .iter()
        .filter(|f| matches!(classify(f), Some(RepoEntry::ResultsJson { .. })))
        .count();
    let task_configs = configs.keys().filter(|k| *k != "results").count();
    let example_config = configs
        .iter()
        .find(|(name, _)| *name != "results")
        .or_else(|| configs.iter().next())
        .map(|(name, _)| name.as_str())
        .unwrap_or("results");

    let mut summary = format!(
        "Dataset automatically created during the evaluation run of model \
         [{model}](https://huggingface.co/{model}).\n\n\
         The dataset is composed of {task_configs} configuration(s), each one corresponding to one \
         of the evaluated tasks.\n\n\
         The dataset has been created from {runs} run(s). Each run can be found as a specific split \
         in each configuration, the split being named using the timestamp of the run. The \"latest\" \
         split always points to the latest results.\n\n\
         An additional configuration \"results\" stores all the aggregated results of the runs.\n\n\
         To load the details from a run, you can for instance do the following:\n\
         ```python\nfrom datasets import load_dataset\ndata = load_dataset(\"{repo}\",\n\t\"{example_config}\",\n\tsplit=\"latest\")\n```",
        repo = input.repo_id,
    );
    if let Some((path, results)) = input.latest_results {
        let date = match classify(path) {
            Some(RepoEntry::ResultsJson { date }) => date,
            _ => String::new(),
        };
        // lighteval shows `all` first, then every row in its order.
        let mut shown = Map::new();
        shown.insert(
            "all".into(),
            results
                .get("all")
                .cloned()
                .unwrap_or_else(|| Json::Object(results.clone())),
        );
        for (key, value) in results {
            shown.insert(key.clone(), value.clone());
        }
        let options = WriteOptions {
            indent: Some(4),
            non_finite: NonFinite::PythonTokens,
        };
        let text = pyjson::escape_non_ascii(&pyjson::to_string(&Json::Object(shown), options));
        summary.push_str(&format!(
            "\n\n## Latest results\n\n\
             These are the [latest results from run {iso}]({endpoint}/datasets/{repo}/blob/main/{path}) \
             (there may be results for other tasks in the repo if successive evaluations did not cover \
             the same tasks; each is in the \"results\" config and in the \"latest\" split of its \
             task):\n\n```python\n{text}\n```",
            iso = date_as_iso(&date),
            endpoint = input.endpoint,
            repo = input.repo_id,
        ));
    }

    let mut yaml = String::from("---\n");
    yaml.push_str(&format!(
        "pretty_name: {}\n",
        yaml_quote(&format!("Evaluation run of {model}"))
    ));
    yaml.push_str(&format!("dataset_summary: {}\n", yaml_quote(&summary)));
    yaml.push_str(&format!(
        "repo_url: {}\n",
        yaml_quote(&format!("https://huggingface.co/{model}"))
    ));
    if !configs.is_empty() {
        yaml.push_str("configs:\n");
        for (name, config) in &configs {
            yaml.push_str(&format!(
                "- config_name: {}\n  data_files:\n",
                yaml_quote(name)
            ));
            for (split, paths) in &config.splits {
                yaml.push_str(&format!("  - split: {}\n    path:\n", yaml_quote(split)));
                for path in paths {
                    yaml.push_str(&format!("    - {}\n", yaml_quote(path)));
                }
            }
        }
    }
    yaml.push_str("---\n\n");
    yaml.push_str(&format!(
        "# Dataset Card for Evaluation run of {model}\n\n{summary}\n"
    ));
    yaml
}

/// A YAML double-quoted scalar. JSON's escapes are YAML's, except that YAML reads U+0085, U+2028
/// and U+2029 as line breaks, so those are escaped too.
pub fn yaml_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_read_as_lighteval_reads_them() {
        assert_eq!(
            classify(
                "2025-01-01T10-00-00.123456/details_mmlu:abstract_algebra|5_2025-01-01T10-00-00.123456.parquet"
            ),
            Some(RepoEntry::Details {
                task: "mmlu:abstract_algebra|5".into(),
                date: "2025-01-01T10-00-00.123456".into()
            })
        );
        // The task is the shortest prefix before a date: underscores inside task names survive.
        assert_eq!(
            classify("d/details_my_task_v2|0_2025-01-01T10-00-00.parquet"),
            Some(RepoEntry::Details {
                task: "my_task_v2|0".into(),
                date: "2025-01-01T10-00-00".into()
            })
        );
        assert_eq!(
            classify("results_2025-01-01T10-00-00.123456.json"),
            Some(RepoEntry::ResultsJson {
                date: "2025-01-01T10-00-00.123456".into()
            })
        );
        assert_eq!(classify("README.md"), None);
        assert_eq!(classify("details_nodate.parquet"), None);
        assert_eq!(classify("results_notes.json"), None);
    }

    #[test]
    fn names_are_sanitised_like_pythons_regexes() {
        assert_eq!(
            config_name("mmlu:abstract_algebra|5"),
            "mmlu_abstract_algebra_5"
        );
        assert_eq!(config_name("géo:état|0"), "géo_état_0");
        assert_eq!(
            split_name("2025-01-01T10-00-00.123456"),
            "2025_01_01T10_00_00.123456"
        );
        assert_eq!(
            date_as_iso("2025-01-01T10-00-00.123456"),
            "2025-01-01T10:00:00.123456"
        );
    }

    #[test]
    fn configs_have_a_split_per_run_and_latest() {
        let files: Vec<String> = [
            "results_2025-01-01T10-00-00.json",
            "results_2025-01-01T10-00-00.parquet",
            "results_2025-02-02T11-30-00.parquet",
            "2025-01-01T10-00-00/details_gsm8k|0_2025-01-01T10-00-00.parquet",
            "2025-02-02T11-30-00/details_gsm8k|0_2025-02-02T11-30-00.parquet",
            "2025-01-01T10-00-00/details_mmlu:anatomy|5_2025-01-01T10-00-00.parquet",
            "2025-01-01T10-00-00/details_mmlu:algebra|5_2025-01-01T10-00-00.parquet",
        ]
        .map(String::from)
        .to_vec();
        let configs = configs(&files);
        let names: Vec<&str> = configs.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "gsm8k_0",
                "mmlu_5",
                "mmlu_algebra_5",
                "mmlu_anatomy_5",
                "results"
            ]
        );
        let gsm8k = &configs["gsm8k_0"].splits;
        assert_eq!(gsm8k.len(), 3);
        assert_eq!(gsm8k[2].0, "latest");
        assert_eq!(gsm8k[2].1, vec![files[4].clone()]);
        let mmlu = &configs["mmlu_5"].splits;
        assert_eq!(mmlu[0].0, "2025_01_01T10_00_00");
        assert_eq!(mmlu[0].1.len(), 2);
        assert_eq!(
            configs["results"].splits.last().unwrap().1,
            vec![files[2].clone()]
        );
    }

    #[test]
    fn yaml_quoting_escapes_what_yaml_would_read_as_line_breaks() {
        assert_eq!(yaml_quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(yaml_quote("x\u{2028}y"), r#""x\u2028y""#);
        assert_eq!(yaml_quote("état"), "\"état\"");
    }
}
