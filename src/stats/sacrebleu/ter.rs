//! `sacrebleu.TER()`: translation edit rate with tercom's shifts, as sacrebleu's `lib_ter`
//! computes it — a beam-limited edit distance, greedy shifts ranked as tercom ranks them, and
//! the same limits on shift size, distance and candidates. sacrebleu's row cache only saves
//! work (every hypothesis it sees in one call has the same length, so the beam is the same);
//! it is left out.

use super::tokenize::{py_rstrip, py_split, tokenize_tercom};
use super::{SentenceMetric, Stats};

const MAX_SHIFT_SIZE: usize = 10;
const MAX_SHIFT_DIST: usize = 50;
const BEAM_WIDTH: usize = 25;
const MAX_SHIFT_CANDIDATES: usize = 1000;
const INFINITY: i64 = 10_000_000_000_000_000;

/// `TER(asian_support=…)` with every other option at its default. `asian_support` acts only
/// together with normalisation or punctuation removal, both off, so both settings score alike.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Nop,
    Sub,
    Ins,
    Del,
    Undefined,
}

impl Ter {
    pub fn words(&self, text: &str) -> Vec<String> {
        py_split(&tokenize_tercom(py_rstrip(text)))
            .map(str::to_owned)
            .collect()
    }
}

impl SentenceMetric for Ter {
    type Hyp = Vec<String>;
    type Ref = Vec<String>;

    fn hypothesis(&self, text: &str) -> Vec<String> {
        self.words(text)
    }

    fn reference(&self, text: &str) -> Vec<String> {
        self.words(text)
    }

    /// `[fewest edits over the references, mean reference length]`.
    fn segment(&self, hyp: &Vec<String>, refs: &[&Vec<String>]) -> Stats {
        let mut ref_lengths = 0usize;
        let mut best = INFINITY as usize;
        for r in refs {
            let (edits, len) = translation_edit_rate(hyp, r);
            ref_lengths += len;
            best = best.min(edits);
        }
        vec![best as f64, ref_lengths as f64 / refs.len() as f64]
    }

    fn score(&self, totals: &[f64]) -> f64 {
        let (edits, ref_lengths) = (totals[0], totals[1]);
        let score = if ref_lengths > 0.0 {
            edits / ref_lengths
        } else if edits > 0.0 {
            1.0
        } else {
            0.0
        };
        100.0 * score
    }
}

/// `(number of edits, reference length)` of `hyp` against `reference`: shifts while they reduce
/// the edit distance, then the edit distance.
pub fn translation_edit_rate<S: AsRef<str> + PartialEq>(
    hyp: &[S],
    reference: &[S],
) -> (usize, usize) {
    if reference.is_empty() {
        return (hyp.len(), 0);
    }
    let hyp: Vec<&str> = hyp.iter().map(AsRef::as_ref).collect();
    let reference: Vec<&str> = reference.iter().map(AsRef::as_ref).collect();
    let distance = BeamEditDistance::new(&reference, hyp.len());
    let mut shifts = 0;
    let mut words = hyp;
    let mut checked = 0;
    loop {
        let (delta, shifted, now_checked) = best_shift(&words, &reference, &distance, checked);
        checked = now_checked;
        if checked >= MAX_SHIFT_CANDIDATES || delta <= 0 {
            break;
        }
        shifts += 1;
        words = shifted;
    }
    let (edits, _) = distance.compute(&words);
    (shifts + edits as usize, reference.len())
}

/// sacrebleu's `_shift`: the shift that reduces the edit distance most, ranked by (gain, length,
/// earliest start, earliest target), and the updated count of candidates tried.
fn best_shift<'a>(
    words_h: &[&'a str],
    words_r: &[&str],
    distance: &BeamEditDistance,
    mut checked: usize,
) -> (i64, Vec<&'a str>, usize) {
    let (pre_score, inverse_trace) = distance.compute(words_h);
    // The alignment is read as rewriting the reference into the hypothesis: flip ins and del.
    let trace: Vec<Op> = inverse_trace
        .iter()
        .map(|op| match op {
            Op::Ins => Op::Del,
            Op::Del => Op::Ins,
            other => *other,
        })
        .collect();
    let (align, ref_err, hyp_err) = trace_to_alignment(&trace);
    let errors = |err: &[u8], start: usize, len: usize| {
        err.iter()
            .skip(start)
            .take(len)
            .map(|&e| u32::from(e))
            .sum::<u32>()
    };
    let mut best: Option<(ShiftRank, Vec<&'a str>)> = None;
    'pairs: for (start_h, start_r, length) in shifted_pairs(words_h, words_r) {
        if errors(&hyp_err, start_h, length) == 0 || errors(&ref_err, start_r, length) == 0 {
            continue;
        }
        let aligned = align[start_r];
        if start_h as i64 <= aligned && aligned < (start_h + length) as i64 {
            continue;
        }
        let mut previous_idx = -1i64;
        for offset in -1i64..length as i64 {
            let position = start_r as i64 + offset;
            let idx = if position == -1 {
                0
            } else if (position as usize) < align.len() {
                align[position as usize] + 1
            } else {
                break;
            };
            if idx == previous_idx {
                continue;
            }
            previous_idx = idx;
            let shifted = perform_shift(words_h, start_h, length, idx as usize);
            let key = (
                pre_score - distance.compute(&shifted).0,
                length,
                -(start_h as i64),
                -idx,
            );
            checked += 1;
            if best.as_ref().is_none_or(|(b, _)| key > *b) {
                best = Some((key, shifted));
            }
        }
        if checked >= MAX_SHIFT_CANDIDATES {
            break 'pairs;
        }
    }
    match best {
        None => (0, words_h.to_vec(), checked),
        Some(((gain, ..), shifted)) => (gain, shifted, checked),
    }
}

/// tercom's ranking of a shift: (gain in edit distance, length, -start, -target), highest first.
type ShiftRank = (i64, usize, i64, i64);

/// Python's `words[a:b]`, clamped.
fn slice<T>(words: &[T], start: usize, end: usize) -> &[T] {
    let end = end.min(words.len());
    let start = start.min(end);
    &words[start..end]
}

fn perform_shift<'a>(
    words: &[&'a str],
    start: usize,
    length: usize,
    target: usize,
) -> Vec<&'a str> {
    let parts: [&[&'a str]; 4] = if target < start {
        [
            slice(words, 0, target),
            slice(words, start, start + length),
            slice(words, target, start),
            slice(words, start + length, usize::MAX),
        ]
    } else if target > start + length {
        [
            slice(words, 0, start),
            slice(words, start + length, target),
            slice(words, start, start + length),
            slice(words, target, usize::MAX),
        ]
    } else {
        [
            slice(words, 0, start),
            slice(words, start + length, length + target),
            slice(words, start, start + length),
            slice(words, length + target, usize::MAX),
        ]
    };
    parts.concat()
}

/// Every `(start_h, start_r, length)` where the hypothesis and the reference share `length`
/// words, in sacrebleu's order; starts more than 50 positions apart are skipped.
fn shifted_pairs(words_h: &[&str], words_r: &[&str]) -> Vec<(usize, usize, usize)> {
    let mut pairs = Vec::new();
    for start_h in 0..words_h.len() {
        for start_r in 0..words_r.len() {
            if start_r.abs_diff(start_h) > MAX_SHIFT_DIST {
                continue;
            }
            let mut length = 0;
            while words_h[start_h + length] == words_r[start_r + length] && length < MAX_SHIFT_SIZE
            {
                length += 1;
                pairs.push((start_h, start_r, length));
                if words_h.len() == start_h + length || words_r.len() == start_r + length {
                    break;
                }
            }
        }
    }
    pairs
}

/// `(align, ref_err, hyp_err)`: for each reference position the hypothesis position it aligns
/// to (-1 before the first), and which positions of each side are errors.
fn trace_to_alignment(trace: &[Op]) -> (Vec<i64>, Vec<u8>, Vec<u8>) {
    let (mut pos_hyp, mut pos_ref) = (-1i64, -1i64);
    let (mut align, mut ref_err, mut hyp_err) = (Vec::new(), Vec::new(), Vec::new());
    for op in trace {
        match op {
            Op::Nop | Op::Sub => {
                pos_hyp += 1;
                pos_ref += 1;
                debug_assert_eq!(align.len() as i64, pos_ref);
                align.push(pos_hyp);
                let err = u8::from(*op == Op::Sub);
                hyp_err.push(err);
                ref_err.push(err);
            }
            Op::Ins => {
                pos_hyp += 1;
                hyp_err.push(1);
            }
            Op::Del => {
                pos_ref += 1;
                align.push(pos_hyp);
                ref_err.push(1);
            }
            Op::Undefined => unreachable!("a trace only holds defined operations"),
        }
    }
    (align, ref_err, hyp_err)
}

/// sacrebleu's `BeamEditDistance` without its cache: Levenshtein distance between a hypothesis
/// and the reference, over a band around the length-scaled diagonal, with the operations kept
/// for the trace (tercom's preference: match/substitute, then delete, then insert).
struct BeamEditDistance<'r> {
    reference: &'r [&'r str],
    length_ratio: f64,
    beam_width: usize,
}

impl<'r> BeamEditDistance<'r> {
    fn new(reference: &'r [&'r str], hyp_len: usize) -> Self {
        let length_ratio = if hyp_len > 0 {
            reference.len() as f64 / hyp_len as f64
        } else {
            1.0
        };
        let beam_width = if (BEAM_WIDTH as f64) < length_ratio / 2.0 {
            (length_ratio / 2.0 + BEAM_WIDTH as f64).ceil() as usize
        } else {
            BEAM_WIDTH
        };
        BeamEditDistance {
            reference,
            length_ratio,
            beam_width,
        }
    }

    fn compute(&self, words_h: &[&str]) -> (i64, Vec<Op>) {
        let n_h = words_h.len();
        let n_r = self.reference.len();
        let width = n_r + 1;
        let mut dist: Vec<(i64, Op)> = vec![(INFINITY, Op::Undefined); (n_h + 1) * width];
        for (j, cell) in dist[..width].iter_mut().enumerate() {
            *cell = (j as i64, Op::Ins);
        }
        for i in 1..=n_h {
            let pseudo_diag = (i as f64 * self.length_ratio).floor() as i64;
            let min_j = (pseudo_diag - self.beam_width as i64).max(0) as usize;
            let mut max_j = ((pseudo_diag + self.beam_width as i64).max(0) as usize).min(n_r + 1);
            if i == n_h {
                max_j = n_r + 1;
            }
            let (previous_rows, row) = dist.split_at_mut(i * width);
            let above = &previous_rows[(i - 1) * width..];
            let row = &mut row[..width];
            for j in min_j..max_j {
                if j == 0 {
                    row[0] = (above[0].0 + 1, Op::Del);
                    continue;
                }
                let (cost_sub, op_sub) = if words_h[i - 1] == self.reference[j - 1] {
                    (0, Op::Nop)
                } else {
                    (1, Op::Sub)
                };
                let candidates = [
                    (above[j - 1].0 + cost_sub, op_sub),
                    (above[j].0 + 1, Op::Del),
                    (row[j - 1].0 + 1, Op::Ins),
                ];
                for (cost, op) in candidates {
                    if row[j].0 > cost {
                        row[j] = (cost, op);
                    }
                }
            }
        }
        let mut trace = Vec::with_capacity(n_h + n_r);
        let (mut i, mut j) = (n_h, n_r);
        while i > 0 || j > 0 {
            let op = dist[i * width + j].1;
            trace.push(op);
            match op {
                Op::Sub | Op::Nop => {
                    i -= 1;
                    j -= 1;
                }
                Op::Ins => j -= 1,
                Op::Del => i -= 1,
                Op::Undefined => unreachable!("the path only crosses computed cells"),
            }
        }
        trace.reverse();
        (dist[n_h * width + n_r].0, trace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        text.split(' ').collect()
    }

    #[test]
    fn a_shift_costs_one_edit() {
        // Moving "the mat" to the front is one shift, not four edits.
        let (edits, len) = translation_edit_rate(
            &words("on the mat the cat sat"),
            &words("the cat sat on the mat"),
        );
        assert_eq!((edits, len), (1, 6));
        assert_eq!(
            translation_edit_rate(&words("a b c"), &words("a b c")),
            (0, 3)
        );
        assert_eq!(translation_edit_rate::<&str>(&[], &words("a b")), (2, 2));
        assert_eq!(translation_edit_rate(&words("a b"), &[] as &[&str]), (2, 0));
    }
}
