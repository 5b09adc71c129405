//! `sacrebleu.CHRF(word_order=…)` with its defaults: character n-grams up to 6 over the text with
//! whitespace removed, β = 2, case kept, sacrebleu's effective-order averaging (not eps
//! smoothing). `word_order = 2` is chrF++.

use std::collections::HashMap;

use super::tokenize::py_split;
use super::{SentenceMetric, Stats};

const CHAR_ORDER: usize = 6;
const BETA: f64 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chrf {
    pub word_order: usize,
}

/// A sentence's n-gram counts: character orders 1–6 (each n-gram packed exactly into a u128,
/// 21 bits a character), then word orders 1–`word_order`.
#[derive(Debug, Clone)]
pub struct ChrfNgrams {
    pub chars: Vec<HashMap<u128, u32>>,
    pub words: Vec<HashMap<String, u32>>,
}

fn pack(chars: &[char]) -> u128 {
    chars
        .iter()
        .fold(0u128, |key, &c| (key << 21) | u128::from(u32::from(c)))
}

/// `[hyp, ref, match]` of one order, as sacrebleu's `_get_match_statistics`: the hypothesis
/// count is 0 where the reference has no n-gram of that order.
fn order_stats<K: std::hash::Hash + Eq>(
    h: &HashMap<K, u32>,
    r: &HashMap<K, u32>,
    stats: &mut Stats,
) {
    let mut matched = 0u32;
    let mut hyp_count = 0u32;
    for (gram, &count) in h {
        hyp_count += count;
        if let Some(&ref_count) = r.get(gram) {
            matched += count.min(ref_count);
        }
    }
    let ref_count: u32 = r.values().sum();
    stats.push(if r.is_empty() {
        0.0
    } else {
        f64::from(hyp_count)
    });
    stats.push(f64::from(ref_count));
    stats.push(f64::from(matched));
}

const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

impl Chrf {
    pub fn new(word_order: usize) -> Chrf {
        Chrf { word_order }
    }

    pub fn orders(&self) -> usize {
        CHAR_ORDER + self.word_order
    }

    pub fn ngrams(&self, text: &str) -> ChrfNgrams {
        let chars: Vec<char> = py_split(text).flat_map(str::chars).collect();
        let mut char_orders = Vec::with_capacity(CHAR_ORDER);
        for n in 1..=CHAR_ORDER {
            let mut counts: HashMap<u128, u32> = HashMap::new();
            for window in chars.windows(n) {
                *counts.entry(pack(window)).or_default() += 1;
            }
            char_orders.push(counts);
        }
        let mut word_orders = Vec::with_capacity(self.word_order);
        if self.word_order > 0 {
            let words = split_punctuation(text);
            for n in 1..=self.word_order {
                let mut counts: HashMap<String, u32> = HashMap::new();
                for window in words.windows(n) {
                    *counts.entry(window.join(" ")).or_default() += 1;
                }
                word_orders.push(counts);
            }
        }
        ChrfNgrams {
            chars: char_orders,
            words: word_orders,
        }
    }

    /// `[hyp, ref, match]` per order, characters first.
    pub fn match_stats(&self, hyp: &ChrfNgrams, reference: &ChrfNgrams) -> Stats {
        let mut stats = Vec::with_capacity(3 * self.orders());
        for (h, r) in hyp.chars.iter().zip(&reference.chars) {
            order_stats(h, r, &mut stats);
        }
        for (h, r) in hyp.words.iter().zip(&reference.words) {
            order_stats(h, r, &mut stats);
        }
        stats
    }

    /// sacrebleu's `_compute_f_score` without eps smoothing.
    pub fn f_score(&self, stats: &[f64]) -> f64 {
        let factor = BETA * BETA;
        let (mut avg_prec, mut avg_rec) = (0.0, 0.0);
        let mut effective_order = 0u32;
        for order in stats.chunks_exact(3).take(self.orders()) {
            let (n_hyp, n_ref, n_match) = (order[0], order[1], order[2]);
            if n_hyp > 0.0 && n_ref > 0.0 {
                avg_prec += n_match / n_hyp;
                avg_rec += n_match / n_ref;
                effective_order += 1;
            }
        }
        if effective_order == 0 {
            avg_prec = 0.0;
            avg_rec = 0.0;
        } else {
            avg_prec /= f64::from(effective_order);
            avg_rec /= f64::from(effective_order);
        }
        if avg_prec + avg_rec != 0.0 {
            let mut score = (1.0 + factor) * avg_prec * avg_rec;
            score /= factor * avg_prec + avg_rec;
            100.0 * score
        } else {
            0.0
        }
    }
}

/// sacrebleu's `_remove_punctuation` for chrF++'s words: one punctuation mark split off the end
/// of a word, or else off its start (so `(hi)` becomes `(hi` and `)`).
fn split_punctuation(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    for word in py_split(text) {
        let mut chars = word.chars();
        let first = chars.next().expect("words are not empty");
        let Some(last) = chars.next_back() else {
            words.push(word);
            continue;
        };
        if PUNCTUATION.contains(last) {
            words.push(&word[..word.len() - last.len_utf8()]);
            words.push(&word[word.len() - last.len_utf8()..]);
        } else if PUNCTUATION.contains(first) {
            words.push(&word[..first.len_utf8()]);
            words.push(&word[first.len_utf8()..]);
        } else {
            words.push(word);
        }
    }
    words
}

impl SentenceMetric for Chrf {
    type Hyp = ChrfNgrams;
    type Ref = ChrfNgrams;

    fn hypothesis(&self, text: &str) -> ChrfNgrams {
        self.ngrams(text)
    }

    fn reference(&self, text: &str) -> ChrfNgrams {
        self.ngrams(text)
    }

    /// The statistics of the reference with the best F-score (the first of equals).
    fn segment(&self, hyp: &ChrfNgrams, refs: &[&ChrfNgrams]) -> Stats {
        let mut best: Option<(f64, Stats)> = None;
        for r in refs {
            let stats = self.match_stats(hyp, r);
            let f = self.f_score(&stats);
            if best.as_ref().is_none_or(|(b, _)| f > *b) {
                best = Some((f, stats));
            }
        }
        best.map(|(_, s)| s).unwrap_or_default()
    }

    fn score(&self, totals: &[f64]) -> f64 {
        self.f_score(totals)
    }
}

/// One order's n-grams over many references: for each n-gram, which references hold it and how
/// often.
struct OrderIndex<K> {
    ids: HashMap<K, u32>,
    postings: Vec<Vec<(u32, u32)>>,
}

impl<K: std::hash::Hash + Eq + Clone> OrderIndex<K> {
    fn new() -> Self {
        OrderIndex {
            ids: HashMap::new(),
            postings: Vec::new(),
        }
    }

    fn add(&mut self, reference: u32, counts: &HashMap<K, u32>) {
        for (gram, &count) in counts {
            let next = self.postings.len() as u32;
            let id = *self.ids.entry(gram.clone()).or_insert(next);
            if id == next {
                self.postings.push(Vec::new());
            }
            self.postings[id as usize].push((reference, count));
        }
    }

    /// Adds `min(hyp count, ref count)` of every shared n-gram into `matched[ref * stride]`.
    fn match_into(&self, hyp: &HashMap<K, u32>, matched: &mut [u32], stride: usize) {
        for (gram, &count) in hyp {
            if let Some(&id) = self.ids.get(gram) {
                for &(reference, ref_count) in &self.postings[id as usize] {
                    matched[reference as usize * stride] += count.min(ref_count);
                }
            }
        }
    }
}

/// chrF statistics of one hypothesis against many references at once, through an inverted index
/// of the references' n-grams: the work is the postings the hypothesis's n-grams touch, not
/// (references × n-grams). Used by the bootstrap of lighteval's reference layout, where every
/// resample scores one hypothesis against the whole resample's golds.
pub struct ChrfIndex<'c> {
    chrf: &'c Chrf,
    chars: Vec<OrderIndex<u128>>,
    words: Vec<OrderIndex<String>>,
    /// Per reference (`None` where it is missing), its n-gram count per order.
    ref_totals: Vec<Option<Vec<u32>>>,
}

impl<'c> ChrfIndex<'c> {
    pub fn new(chrf: &'c Chrf, refs: &[Option<&str>]) -> Self {
        let mut chars: Vec<OrderIndex<u128>> = (0..CHAR_ORDER).map(|_| OrderIndex::new()).collect();
        let mut words: Vec<OrderIndex<String>> =
            (0..chrf.word_order).map(|_| OrderIndex::new()).collect();
        let mut ref_totals = Vec::with_capacity(refs.len());
        for (r, text) in refs.iter().enumerate() {
            let Some(text) = text else {
                ref_totals.push(None);
                continue;
            };
            let ngrams = chrf.ngrams(text);
            for (index, counts) in chars.iter_mut().zip(&ngrams.chars) {
                index.add(r as u32, counts);
            }
            for (index, counts) in words.iter_mut().zip(&ngrams.words) {
                index.add(r as u32, counts);
            }
            let totals = ngrams
                .chars
                .iter()
                .map(|o| o.values().sum())
                .chain(ngrams.words.iter().map(|o| o.values().sum()))
                .collect();
            ref_totals.push(Some(totals));
        }
        ChrfIndex {
            chrf,
            chars,
            words,
            ref_totals,
        }
    }

    /// The statistics of `hyp` against each reference, as [`Chrf::match_stats`] gives them.
    pub fn row(&self, hyp: &str) -> Vec<Option<Stats>> {
        let orders = self.chrf.orders();
        let ngrams = self.chrf.ngrams(hyp);
        let mut matched = vec![0u32; self.ref_totals.len() * orders];
        for (o, (index, counts)) in self.chars.iter().zip(&ngrams.chars).enumerate() {
            index.match_into(counts, &mut matched[o..], orders);
        }
        for (o, (index, counts)) in self.words.iter().zip(&ngrams.words).enumerate() {
            index.match_into(counts, &mut matched[CHAR_ORDER + o..], orders);
        }
        let hyp_totals: Vec<u32> = ngrams
            .chars
            .iter()
            .map(|o| o.values().sum())
            .chain(ngrams.words.iter().map(|o| o.values().sum()))
            .collect();
        self.ref_totals
            .iter()
            .enumerate()
            .map(|(r, totals)| {
                let totals = totals.as_ref()?;
                let mut stats = Vec::with_capacity(3 * orders);
                for o in 0..orders {
                    let has_ref = totals[o] > 0;
                    stats.push(if has_ref {
                        f64::from(hyp_totals[o])
                    } else {
                        0.0
                    });
                    stats.push(f64::from(totals[o]));
                    stats.push(f64::from(matched[r * orders + o]));
                }
                Some(stats)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_comes_off_one_end() {
        assert_eq!(
            split_punctuation("(hi) a, .b c"),
            ["(hi", ")", "a", ",", ".", "b", "c"]
        );
    }

    #[test]
    fn the_index_gives_the_pairwise_statistics() {
        let refs = [
            Some("the cat sat on the mat"),
            None,
            Some(""),
            Some("a dog, a cat"),
        ];
        for chrf in [Chrf::new(0), Chrf::new(2)] {
            let index = ChrfIndex::new(&chrf, &refs);
            for hyp in ["the cat", "", "a cat sat on a dog"] {
                let row = index.row(hyp);
                for (r, text) in refs.iter().enumerate() {
                    let direct = text.map(|t| chrf.match_stats(&chrf.ngrams(hyp), &chrf.ngrams(t)));
                    assert_eq!(row[r], direct, "{hyp:?} vs {text:?}");
                }
            }
        }
    }
}
