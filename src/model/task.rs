//! Task keys and task configs. lighteval names a task row `suite:task|fewshot` (≥ 0.11, e.g.
//! `quiz:geo|0`) or `suite|task|fewshot` (≤ 0.10, e.g. `custom|quiz:geo|0`), and adds derived rows
//! `…:_average|fewshot` and `all`.

use super::json::{Json, Map};

/// A parsed task key. The original text is kept: it is the key in every file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskKey {
    raw: String,
}

impl TaskKey {
    pub fn new(raw: impl Into<String>) -> Self {
        TaskKey { raw: raw.into() }
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The few-shot count, when the key ends in `|N`.
    pub fn fewshot(&self) -> Option<u32> {
        self.raw.rsplit_once('|').and_then(|(_, n)| n.parse().ok())
    }

    /// The key without its `|N` few-shot suffix (how lighteval ≤ 0.10 keys `config_tasks`).
    pub fn without_fewshot(&self) -> &str {
        match self.raw.rsplit_once('|') {
            Some((head, n)) if n.parse::<u32>().is_ok() => head,
            _ => &self.raw,
        }
    }

    /// The legacy suite prefix (`custom` in `custom|quiz:geo|0`), if any.
    pub fn legacy_suite(&self) -> Option<&str> {
        let head = self.without_fewshot();
        head.split_once('|').map(|(suite, _)| suite)
    }

    /// The task name proper: `quiz:geo` for both `quiz:geo|0` and `custom|quiz:geo|0`.
    pub fn name(&self) -> &str {
        let head = self.without_fewshot();
        head.split_once('|').map_or(head, |(_, name)| name)
    }

    /// The group a task folds under: `quiz` for `quiz:geo`, the name itself otherwise.
    pub fn group(&self) -> &str {
        let name = self.name();
        name.split_once(':').map_or(name, |(group, _)| group)
    }

    /// `…:_average|N` rows (mean over a suite's subtasks) and the `all` row are computed from
    /// other rows, not measured.
    pub fn is_derived(&self) -> bool {
        self.raw == "all" || self.name().ends_with(":_average")
    }

    /// The `all` row.
    pub fn is_all(&self) -> bool {
        self.raw == "all"
    }
}

impl std::fmt::Display for TaskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A borrowed view of one entry of `config_tasks`; typed accessors for what evaldeck uses, the
/// whole object through [`TaskConfig::raw`].
#[derive(Debug, Clone, Copy)]
pub struct TaskConfig<'a> {
    raw: &'a Map,
}

/// One metric of a task config. `metric_name` is a list for metrics that produce several values.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricConfig {
    pub names: Vec<String>,
    /// Per produced name, when known.
    pub higher_is_better: Vec<(String, bool)>,
    /// Python `str()` of the corpus-level function (`mean`, `matthews_corrcoef`, `<… object at 0x…>`);
    /// for a metric that maps each name to its own function, the first of them.
    pub corpus_level_fn: Option<String>,
    /// Each name's own function, where `corpus_level_fn` is a mapping
    /// (`{"longest_common_prefix_length": "max", "edit_distance": "min"}`).
    pub corpus_level_fn_by_name: Vec<(String, String)>,
    pub sample_level_fn: Option<String>,
    pub category: Option<String>,
}

impl MetricConfig {
    /// Whether a bigger value of `name` is better, if the config says.
    pub fn higher_is_better(&self, name: &str) -> Option<bool> {
        self.higher_is_better
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| *b)
    }

    /// The corpus-level function that aggregates `name`.
    pub fn corpus_level_fn_of(&self, name: &str) -> Option<String> {
        self.corpus_level_fn_by_name
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f.clone())
            .or_else(|| self.corpus_level_fn.clone())
    }

    /// A short name for the corpus aggregation: `mean`, `matthews_corrcoef`, `CorpusLevelF1Score`…
    pub fn aggregation(&self) -> Option<String> {
        self.corpus_level_fn.as_deref().map(short_function_name)
    }
}

/// `<lighteval.metrics.metrics_corpus.CorpusLevelF1Score object at 0x7f…>` → `CorpusLevelF1Score`,
/// `<function mean at 0x…>` → `mean`, `mean` → `mean`.
pub fn short_function_name(rendered: &str) -> String {
    let inner = rendered
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let inner = inner.split(" object at ").next().unwrap_or(inner);
    let inner = inner.split(" at 0x").next().unwrap_or(inner);
    let inner = inner.strip_prefix("function ").unwrap_or(inner);
    let inner = inner.strip_prefix("built-in function ").unwrap_or(inner);
    // `MatthewsCorrCoef()`, `CorpusLevelF1Score(average=None, num_classes=2)`: the class is enough.
    let inner = inner.split('(').next().unwrap_or(inner);
    inner.rsplit('.').next().unwrap_or(inner).trim().to_owned()
}

impl<'a> TaskConfig<'a> {
    pub fn new(raw: &'a Map) -> Self {
        TaskConfig { raw }
    }

    pub fn raw(&self) -> &'a Map {
        self.raw
    }

    pub fn name(&self) -> Option<&'a str> {
        self.raw.get("name").and_then(Json::as_str)
    }

    pub fn version(&self) -> Option<i64> {
        self.raw.get("version").and_then(Json::as_i64)
    }

    pub fn num_fewshots(&self) -> Option<i64> {
        self.raw.get("num_fewshots").and_then(Json::as_i64)
    }

    /// Number of evaluated docs, when the config records it (lighteval 0.13 writes -1: unknown).
    pub fn effective_num_docs(&self) -> Option<i64> {
        self.raw
            .get("effective_num_docs")
            .and_then(Json::as_i64)
            .filter(|n| *n >= 0)
    }

    pub fn original_num_docs(&self) -> Option<i64> {
        self.raw
            .get("original_num_docs")
            .and_then(Json::as_i64)
            .filter(|n| *n >= 0)
    }

    pub fn evaluation_splits(&self) -> Vec<&'a str> {
        string_list(self.raw.get("evaluation_splits"))
    }

    /// The metrics, from `metrics` (≥ 0.11) or `metric` (≤ 0.10).
    pub fn metrics(&self) -> Vec<MetricConfig> {
        let list = self.raw.get("metrics").or_else(|| self.raw.get("metric"));
        let Some(items) = list.and_then(Json::as_array) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(Json::as_object)
            .map(metric_config)
            .collect()
    }

    /// The metric config that produces `metric_name`.
    pub fn metric(&self, metric_name: &str) -> Option<MetricConfig> {
        self.metrics()
            .into_iter()
            .find(|m| m.names.iter().any(|n| n == metric_name))
    }
}

fn metric_config(raw: &Map) -> MetricConfig {
    let names = match raw.get("metric_name") {
        Some(Json::Str(name)) => vec![name.clone()],
        Some(Json::Array(names)) => names
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let higher_is_better = match raw.get("higher_is_better") {
        Some(Json::Bool(b)) => names.iter().map(|n| (n.clone(), *b)).collect(),
        Some(Json::Object(per_name)) => per_name
            .iter()
            .filter_map(|(n, b)| b.as_bool().map(|b| (n.clone(), b)))
            .collect(),
        _ => Vec::new(),
    };
    let function = |key: &str| match raw.get(key) {
        Some(Json::Str(s)) => Some(s.clone()),
        // Multi-name metrics may map each name to its function; keep the first for display.
        Some(Json::Object(per_name)) => per_name.values().find_map(Json::as_str).map(str::to_owned),
        _ => None,
    };
    let corpus_level_fn_by_name = match raw.get("corpus_level_fn") {
        Some(Json::Object(per_name)) => per_name
            .iter()
            .filter_map(|(n, f)| f.as_str().map(|f| (n.clone(), f.to_owned())))
            .collect(),
        _ => Vec::new(),
    };
    MetricConfig {
        names,
        higher_is_better,
        corpus_level_fn: function("corpus_level_fn"),
        corpus_level_fn_by_name,
        sample_level_fn: function("sample_level_fn"),
        category: raw.get("category").and_then(|c| match c {
            Json::Str(s) => Some(s.clone()),
            Json::Int(i) => Some(i.to_string()),
            _ => None,
        }),
    }
}

fn string_list(value: Option<&Json>) -> Vec<&str> {
    value
        .and_then(Json::as_array)
        .map_or_else(Vec::new, |items| {
            items.iter().filter_map(Json::as_str).collect()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_new_and_legacy_keys() {
        let new = TaskKey::new("quiz:geo|0");
        assert_eq!(
            (new.name(), new.fewshot(), new.group()),
            ("quiz:geo", Some(0), "quiz")
        );
        assert_eq!(new.legacy_suite(), None);
        let old = TaskKey::new("custom|quiz:geo|0");
        assert_eq!(
            (old.name(), old.fewshot(), old.without_fewshot()),
            ("quiz:geo", Some(0), "custom|quiz:geo")
        );
        assert_eq!(old.legacy_suite(), Some("custom"));
        assert!(TaskKey::new("quiz:_average|0").is_derived());
        assert!(TaskKey::new("custom|quiz:_average|0").is_derived());
        assert!(TaskKey::new("all").is_derived());
        assert!(!TaskKey::new("phrase|3").is_derived());
        assert_eq!(TaskKey::new("all").fewshot(), None);
    }

    #[test]
    fn per_name_corpus_functions() {
        // lighteval 0.13's `copyright` metric, as its encoder writes the mapping.
        let raw = crate::model::pyjson::parse(
            r#"{"metric_name": ["longest_common_prefix_length", "edit_distance", "edit_similarity"],
                "corpus_level_fn": {"longest_common_prefix_length": "max", "edit_distance": "min",
                                    "edit_similarity": "max"}}"#,
        )
        .unwrap();
        let config = metric_config(raw.as_object().unwrap());
        assert_eq!(
            config.corpus_level_fn_of("edit_distance").as_deref(),
            Some("min")
        );
        assert_eq!(
            config.corpus_level_fn_of("edit_similarity").as_deref(),
            Some("max")
        );
        assert_eq!(
            config
                .corpus_level_fn_of("longest_common_prefix_length")
                .as_deref(),
            Some("max")
        );
    }

    #[test]
    fn short_function_names() {
        assert_eq!(short_function_name("mean"), "mean");
        assert_eq!(short_function_name("<function mean at 0x7f00>"), "mean");
        assert_eq!(
            short_function_name(
                "<lighteval.metrics.metrics_corpus.CorpusLevelF1Score object at 0x7f9c>"
            ),
            "CorpusLevelF1Score"
        );
        assert_eq!(
            short_function_name("CorpusLevelF1Score(average=None, num_classes=2)"),
            "CorpusLevelF1Score"
        );
    }
}
