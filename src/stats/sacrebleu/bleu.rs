//! `sacrebleu.BLEU(trg_lang=…)` with its defaults: case kept, exponential smoothing, n-grams up
//! to 4, no effective order, the `13a` tokenizer (`zh` for Chinese).

use std::collections::HashMap;

use super::tokenize::{py_rstrip, py_split, tokenize_13a, tokenize_zh};
use super::{SacrebleuError, SentenceMetric, Stats};

const MAX_ORDER: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BleuTokenizer {
    ThirteenA,
    Zh,
}

#[derive(Debug, Clone, Copy)]
pub struct Bleu {
    pub tokenizer: BleuTokenizer,
}

impl Bleu {
    /// The BLEU that `sacrebleu.BLEU(trg_lang=lang)` builds; Japanese and Korean would need
    /// MeCab, which evaldeck does not have.
    pub fn new(trg_lang: &str) -> Result<Bleu, SacrebleuError> {
        let tokenizer = match trg_lang {
            "zh" => BleuTokenizer::Zh,
            "ja" | "ko" => {
                return Err(SacrebleuError::UnsupportedTokenizer {
                    tokenizer: if trg_lang == "ja" {
                        "ja-mecab"
                    } else {
                        "ko-mecab"
                    },
                    lang: trg_lang.to_owned(),
                });
            }
            _ => BleuTokenizer::ThirteenA,
        };
        Ok(Bleu { tokenizer })
    }

    fn tokenize(&self, text: &str) -> String {
        let text = py_rstrip(text);
        match self.tokenizer {
            BleuTokenizer::ThirteenA => tokenize_13a(text),
            BleuTokenizer::Zh => tokenize_zh(text),
        }
    }
}

/// A sentence's n-grams (orders 1 to 4, each an `order`-token slice of the tokenized text joined
/// by single spaces) and its token count.
#[derive(Debug, Clone)]
pub struct BleuNgrams {
    counts: HashMap<String, (u8, u32)>,
    len: usize,
}

fn ngrams(tokenized: &str) -> BleuNgrams {
    let tokens: Vec<&str> = py_split(tokenized).collect();
    let mut counts: HashMap<String, (u8, u32)> = HashMap::new();
    for n in 1..=MAX_ORDER {
        for window in tokens.windows(n) {
            counts.entry(window.join(" ")).or_insert((n as u8, 0)).1 += 1;
        }
    }
    BleuNgrams {
        counts,
        len: tokens.len(),
    }
}

impl SentenceMetric for Bleu {
    type Hyp = BleuNgrams;
    type Ref = BleuNgrams;

    fn hypothesis(&self, text: &str) -> BleuNgrams {
        ngrams(&self.tokenize(text))
    }

    fn reference(&self, text: &str) -> BleuNgrams {
        ngrams(&self.tokenize(text))
    }

    /// `[hyp_len, ref_len, correct×4, total×4]`: clipped counts against the maxima over the
    /// references, and the closest reference length (the shorter one on a tie).
    fn segment(&self, hyp: &BleuNgrams, refs: &[&BleuNgrams]) -> Stats {
        let mut closest: Option<(usize, usize)> = None;
        for r in refs {
            let diff = hyp.len.abs_diff(r.len);
            closest = match closest {
                None => Some((diff, r.len)),
                Some((d, l)) if diff < d || (diff == d && r.len < l) => Some((diff, r.len)),
                keep => keep,
            };
        }
        let ref_len = closest.map_or(0, |(_, l)| l);
        let mut correct = [0u64; MAX_ORDER];
        let mut total = [0u64; MAX_ORDER];
        for (gram, &(order, count)) in &hyp.counts {
            let n = usize::from(order) - 1;
            total[n] += u64::from(count);
            let max_ref = refs
                .iter()
                .filter_map(|r| r.counts.get(gram).map(|&(_, c)| c))
                .max();
            if let Some(max_ref) = max_ref {
                correct[n] += u64::from(count.min(max_ref));
            }
        }
        let mut stats = vec![hyp.len as f64, ref_len as f64];
        stats.extend(correct.iter().map(|&c| c as f64));
        stats.extend(total.iter().map(|&t| t as f64));
        stats
    }

    /// sacrebleu's `compute_bleu` with `smooth_method='exp'` and `effective_order=False`.
    fn score(&self, totals: &[f64]) -> f64 {
        let (sys_len, ref_len) = (totals[0], totals[1]);
        let correct = &totals[2..2 + MAX_ORDER];
        let total = &totals[2 + MAX_ORDER..2 + 2 * MAX_ORDER];
        let mut bp = 1.0;
        if sys_len < ref_len {
            bp = if sys_len > 0.0 {
                (1.0 - ref_len / sys_len).exp()
            } else {
                0.0
            };
        }
        if correct.iter().all(|&c| c == 0.0) {
            return 0.0;
        }
        let mut precisions = [0.0f64; MAX_ORDER];
        let mut smooth_mteval = 1.0;
        for n in 0..MAX_ORDER {
            if total[n] == 0.0 {
                break;
            }
            if correct[n] == 0.0 {
                smooth_mteval *= 2.0;
                precisions[n] = 100.0 / (smooth_mteval * total[n]);
            } else {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        let log_sum = precisions.iter().fold(0.0, |sum, &p| {
            sum + if p == 0.0 { -9999999999.0 } else { p.ln() }
        });
        bp * (log_sum / MAX_ORDER as f64).exp()
    }
}
