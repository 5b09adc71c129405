//! One evaluated sample (a row of a details file): the doc that was asked, the model's response and
//! the per-sample metric values, in lighteval ≥ 0.11's vocabulary. Older flat layouts are mapped
//! onto it by `store::details`.

use super::json::{Json, Map};

/// The question side of a sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub id: Option<String>,
    pub task_name: Option<String>,
    pub query: String,
    /// The exact context sent to the model, when the file records it (flat layouts' `full_prompt`).
    pub full_prompt: Option<String>,
    pub instruction: Option<String>,
    pub choices: Vec<String>,
    pub gold_index: Vec<i64>,
    /// References written as text (generative tasks of the flat layouts: `gold`).
    pub gold_texts: Vec<String>,
    pub fewshot_samples: Vec<Json>,
    pub specific: Json,
    /// Every other field of the row's doc, in file order.
    pub extra: Map,
}

impl Doc {
    /// The sample's identity across runs: its `doc.id` when set, else a SHA-256 of the query, the
    /// choices and the golds (each length-prefixed, so no two different docs share an input).
    pub fn identity(&self) -> SampleIdentity {
        if let Some(id) = self.id.as_ref().filter(|id| !id.is_empty()) {
            return SampleIdentity::Id(id.clone());
        }
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let mut field = |text: &str| {
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        };
        field(&self.query);
        field(&self.choices.len().to_string());
        for choice in &self.choices {
            field(choice);
        }
        for gold in self.golds() {
            field(gold);
        }
        let digest = hasher.finalize();
        SampleIdentity::Content(super::hex::to_hex(&digest))
    }

    /// The references: the gold choices, or the gold texts when the file has no choices.
    pub fn golds(&self) -> Vec<&str> {
        if !self.gold_texts.is_empty() {
            return self.gold_texts.iter().map(String::as_str).collect();
        }
        self.gold_index
            .iter()
            .filter_map(|&i| usize::try_from(i).ok().and_then(|i| self.choices.get(i)))
            .map(String::as_str)
            .collect()
    }
}

/// How a sample is recognised in another run of the same task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SampleIdentity {
    /// `doc.id` as the file stores it.
    Id(String),
    /// SHA-256 (hex) of query, choices and golds, for files without ids.
    Content(String),
}

/// The answer side of a sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelResponse {
    /// Generations (several when a task samples more than one).
    pub text: Vec<String>,
    pub text_post_processed: Vec<String>,
    pub reasonings: Vec<String>,
    /// One log-probability per choice for log-likelihood tasks.
    pub logprobs: Vec<f64>,
    pub argmax_logits_eq_gold: Vec<bool>,
    pub input_tokens: Json,
    pub output_tokens: Json,
    pub truncated_tokens_count: Option<i64>,
    pub padded_tokens_count: Option<i64>,
    pub extra: Map,
}

/// One row of a details file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    pub doc: Doc,
    pub model_response: ModelResponse,
    /// Per-sample metric values; corpus-level metrics hold their inputs (`{golds, preds}`).
    pub metric: Map,
}

/// What the model answered, for display: the first generation, or for log-likelihood tasks the
/// choice with the highest log-probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prediction<'a> {
    Generated(&'a str),
    Choice { index: usize, text: &'a str },
    None,
}

impl Prediction<'_> {
    /// The generated text or the chosen choice's; empty without a prediction.
    pub fn text(&self) -> &str {
        match self {
            Prediction::Generated(text) | Prediction::Choice { text, .. } => text,
            Prediction::None => "",
        }
    }
}

impl Detail {
    pub fn prediction(&self) -> Prediction<'_> {
        if let Some(text) = self.model_response.text.first() {
            return Prediction::Generated(text);
        }
        match chosen_choice(self.model_response.logprobs.iter().copied()) {
            Some(index) => Prediction::Choice {
                index,
                text: self.doc.choices.get(index).map_or("", String::as_str),
            },
            None => Prediction::None,
        }
    }

    /// A metric value as a number, when it is one (corpus-metric inputs are not).
    pub fn metric_value(&self, name: &str) -> Option<f64> {
        match self.metric.get(name)? {
            value @ (Json::Int(_) | Json::Float(_) | Json::Bool(_)) => value.as_f64(),
            _ => None,
        }
    }
}

/// The choice a log-likelihood task's model picked: the highest log-probability (the last of
/// equal ones), NaNs ignored.
pub fn chosen_choice(logprobs: impl IntoIterator<Item = f64>) -> Option<usize> {
    logprobs
        .into_iter()
        .enumerate()
        .filter(|(_, lp)| !lp.is_nan())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(index, _)| index)
}

/// Whether a sample counts as right, from its first numeric metric: 1 (or more) right, 0 wrong,
/// in between partial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Right,
    Partial,
    Wrong,
    Unknown,
}

impl Verdict {
    pub fn of_score(value: Option<f64>) -> Self {
        match value {
            Some(v) if v.is_nan() => Verdict::Unknown,
            Some(v) if v >= 1.0 => Verdict::Right,
            Some(v) if v <= 0.0 => Verdict::Wrong,
            Some(_) => Verdict::Partial,
            None => Verdict::Unknown,
        }
    }

    /// The verdict in words, for JSON (`right`, `wrong`, `partial`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Right => "right",
            Verdict::Partial => "partial",
            Verdict::Wrong => "wrong",
            Verdict::Unknown => "unknown",
        }
    }

    /// A mark that carries the meaning without colour.
    pub fn mark(self) -> &'static str {
        match self {
            Verdict::Right => "✓",
            Verdict::Partial => "~",
            Verdict::Wrong => "✗",
            Verdict::Unknown => "·",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prediction_is_argmax_choice_or_first_generation() {
        let mut detail = Detail::default();
        detail.doc.choices = vec!["a".into(), "b".into(), "c".into()];
        detail.model_response.logprobs = vec![-3.0, -0.5, f64::NAN];
        assert_eq!(
            detail.prediction(),
            Prediction::Choice {
                index: 1,
                text: "b"
            }
        );
        detail.model_response.text = vec!["hello".into()];
        assert_eq!(detail.prediction(), Prediction::Generated("hello"));
        assert_eq!(Detail::default().prediction(), Prediction::None);
    }

    #[test]
    fn identity_is_the_id_or_a_content_hash() {
        let doc = Doc {
            id: Some("7".into()),
            query: "q".into(),
            ..Doc::default()
        };
        assert_eq!(doc.identity(), SampleIdentity::Id("7".into()));
        let a = Doc {
            query: "q".into(),
            choices: vec!["a".into(), "b".into()],
            gold_index: vec![0],
            ..Doc::default()
        };
        let mut b = a.clone();
        assert_eq!(a.identity(), b.identity());
        b.gold_index = vec![1];
        assert_ne!(a.identity(), b.identity());
        let SampleIdentity::Content(hex) = a.identity() else {
            panic!("no id: content hash")
        };
        assert_eq!(hex.len(), 64);
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        let c = Doc {
            query: "ab".into(),
            choices: vec!["c".into()],
            ..Doc::default()
        };
        let d = Doc {
            query: "a".into(),
            choices: vec!["bc".into()],
            ..Doc::default()
        };
        assert_ne!(c.identity(), d.identity());
    }

    #[test]
    fn golds_come_from_indices_or_texts() {
        let mut doc = Doc {
            choices: vec!["x".into(), "y".into()],
            gold_index: vec![1, 7],
            ..Doc::default()
        };
        assert_eq!(doc.golds(), ["y"]);
        doc.gold_texts = vec!["ref".into()];
        assert_eq!(doc.golds(), ["ref"]);
    }
}
