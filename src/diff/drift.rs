//! What makes a pairing doubtful: prompts or documents that changed between the two runs, by
//! the task's summary hashes (lighteval) or per-sample hashes (lm-eval).

use crate::model::{Detail, ResultsFile};

/// Which summary hashes of a task differ, if any.
/// Per-sample hashes that differ between paired samples (lm-eval's `doc_hash` and `prompt_hash`):
/// `prompt_hash differs on 3 of 10 paired samples`.
pub(super) fn sample_hash_drift(
    a: &[Detail],
    b: &[Detail],
    pairs: &[(usize, usize)],
) -> Option<String> {
    let hash = |d: &Detail, key: &str| {
        d.doc
            .specific
            .get(key)
            .and_then(|h| h.as_str())
            .map(str::to_owned)
    };
    let mut found = Vec::new();
    for key in ["doc_hash", "prompt_hash"] {
        let differing = pairs
            .iter()
            .filter(|&&(i, j)| match (hash(&a[i], key), hash(&b[j], key)) {
                (Some(x), Some(y)) => x != y,
                _ => false,
            })
            .count();
        if differing > 0 {
            found.push(format!(
                "{key} differs on {differing} of {} paired samples",
                pairs.len()
            ));
        }
    }
    (!found.is_empty()).then(|| found.join(", "))
}

pub(super) fn prompt_drift(
    a: Option<&ResultsFile>,
    b: Option<&ResultsFile>,
    task_a: &str,
    task_b: &str,
) -> Option<String> {
    let (ha, hb) = (
        a?.task_summary(task_a)?.hashes(),
        b?.task_summary(task_b)?.hashes(),
    );
    let differing: Vec<&str> = [
        ("hash_examples", ha.hash_examples != hb.hash_examples),
        (
            "hash_full_prompts",
            ha.hash_full_prompts != hb.hash_full_prompts,
        ),
        (
            "hash_input_tokens",
            ha.hash_input_tokens != hb.hash_input_tokens,
        ),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(name, _)| name)
    .collect();
    (!differing.is_empty()).then(|| differing.join(", "))
}
