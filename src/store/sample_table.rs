//! A task's samples as a list holds them, a million rows in little memory: chunks of
//! [`CHUNK_ROWS`] rows whose texts (id, query preview, gold, prediction) are packed with zstd once
//! full and unpacked on demand, and whose metrics are coded. The Samples screen lists them; a
//! filter, a search or a frequency table reads them a chunk at a time.

use std::path::PathBuf;
use std::sync::Arc;

use super::DetailsFile;
use crate::model::{Detail, Json, Prediction, Verdict};
use crate::text::one_line;

/// Characters of a query kept for the list (the Sample screen reads the whole row again).
pub const PREVIEW_CHARS: usize = 160;

/// Rows per chunk of a [`SampleTable`]: the loader hands the list its rows a chunk at a time, the
/// first as soon as it is read, so the first screen never waits for the rest of the file.
pub const CHUNK_ROWS: usize = 1024;

/// Many short texts in one buffer: a chunk's previews are two allocations, not one per row.
#[derive(Debug, Clone, Default)]
struct Texts {
    text: String,
    ends: Vec<u32>,
}

impl Texts {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        // A chunk holds CHUNK_ROWS previews of at most PREVIEW_CHARS characters each.
        self.ends.push(self.text.len() as u32);
    }

    fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i] as usize);
        &self.text[start..self.ends[index] as usize]
    }

    fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.ends.len() as u32).to_le_bytes());
        for end in &self.ends {
            out.extend_from_slice(&end.to_le_bytes());
        }
        out.extend_from_slice(self.text.as_bytes());
    }

    /// Reads back what [`Texts::write`] wrote at the start of `bytes`; the rest follows.
    fn read(bytes: &[u8]) -> Option<(Texts, &[u8])> {
        let count = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let ends: Vec<u32> = bytes
            .get(4..4 + count * 4)?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let rest = &bytes[4 + count * 4..];
        let length = ends.last().copied().unwrap_or(0) as usize;
        let text = std::str::from_utf8(rest.get(..length)?).ok()?.to_owned();
        Some((Texts { text, ends }, &rest[length..]))
    }
}

/// A chunk's text columns as the list shows them.
#[derive(Debug, Clone, Default)]
pub struct ChunkTexts {
    ids: Texts,
    queries: Texts,
    golds: Texts,
    predictions: Texts,
}

impl ChunkTexts {
    pub fn id(&self, index: usize) -> &str {
        self.ids.get(index)
    }

    pub fn query(&self, index: usize) -> &str {
        self.queries.get(index)
    }

    pub fn gold(&self, index: usize) -> &str {
        self.golds.get(index)
    }

    pub fn prediction(&self, index: usize) -> &str {
        self.predictions.get(index)
    }

    pub fn column(&self, column: FreqColumn, index: usize) -> &str {
        match column {
            FreqColumn::Prediction => self.prediction(index),
            FreqColumn::Gold => self.gold(index),
        }
    }

    /// Whether row `index` contains `needle` (already lower-case) in its query, gold,
    /// prediction or id.
    pub fn contains(&self, index: usize, needle: &str) -> bool {
        [
            self.query(index),
            self.gold(index),
            self.prediction(index),
            self.id(index),
        ]
        .iter()
        .any(|text| contains_ignore_case(text, needle))
    }

    fn columns(&self) -> [&Texts; 4] {
        [&self.ids, &self.queries, &self.golds, &self.predictions]
    }

    /// zstd at its fastest level: a list's texts take about a third of their size, and a chunk
    /// comes back in a fraction of a millisecond.
    fn pack(&self) -> Box<[u8]> {
        let mut plain = Vec::new();
        self.columns().iter().for_each(|t| t.write(&mut plain));
        let mut packed = (plain.len() as u32).to_le_bytes().to_vec();
        match zstd::bulk::compress(&plain, 1) {
            Ok(compressed) => packed.extend_from_slice(&compressed),
            // Compressing into memory does not fail; were it to, the texts stay as they are.
            Err(_) => {
                packed = u32::MAX.to_le_bytes().to_vec();
                packed.extend_from_slice(&plain);
            }
        }
        packed.into_boxed_slice()
    }

    fn unpack(packed: &[u8]) -> ChunkTexts {
        let length = u32::from_le_bytes(packed[..4].try_into().expect("4 bytes"));
        let plain = if length == u32::MAX {
            packed[4..].to_vec()
        } else {
            zstd::bulk::decompress(&packed[4..], length as usize)
                .expect("a chunk packed by this process unpacks")
        };
        let read = || -> Option<ChunkTexts> {
            let (ids, rest) = Texts::read(&plain)?;
            let (queries, rest) = Texts::read(rest)?;
            let (golds, rest) = Texts::read(rest)?;
            let (predictions, _) = Texts::read(rest)?;
            Some(ChunkTexts {
                ids,
                queries,
                golds,
                predictions,
            })
        };
        read().expect("a chunk packed by this process unpacks")
    }
}

/// A chunk's texts: as they are while rows are added, packed once the chunk is full (the list
/// of a 1,000,000-row task then holds a fraction of its previews' size).
#[derive(Debug, Clone)]
enum Stored {
    Open(Arc<ChunkTexts>),
    Packed(Box<[u8]>),
}

impl Default for Stored {
    fn default() -> Self {
        Stored::Open(Arc::default())
    }
}

/// [`CHUNK_ROWS`] rows of a Samples list (fewer in a table's last chunk): each column's previews,
/// the metric values and the verdicts.
#[derive(Debug, Clone, Default)]
pub struct SampleChunk {
    texts: Stored,
    /// Each metric's column; NaN where the value is missing or not a number (corpus-metric
    /// inputs).
    metrics: Vec<MetricColumn>,
    verdicts: Vec<Verdict>,
}

impl SampleChunk {
    pub fn len(&self) -> usize {
        self.verdicts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }

    /// Packs the texts and gives back what growing left spare: a full chunk is never appended
    /// to again.
    pub fn seal(&mut self) {
        if let Stored::Open(texts) = &self.texts {
            self.texts = Stored::Packed(texts.pack());
        }
        self.metrics.iter_mut().for_each(MetricColumn::seal);
        self.verdicts.shrink_to_fit();
    }

    /// The texts, unpacked if they are packed.
    fn texts(&self) -> Arc<ChunkTexts> {
        match &self.texts {
            Stored::Open(texts) => texts.clone(),
            Stored::Packed(packed) => Arc::new(ChunkTexts::unpack(packed)),
        }
    }

    fn open_texts(&mut self) -> &mut ChunkTexts {
        if let Stored::Packed(packed) = &self.texts {
            self.texts = Stored::Open(Arc::new(ChunkTexts::unpack(packed)));
        }
        match &mut self.texts {
            Stored::Open(texts) => Arc::make_mut(texts),
            Stored::Packed(_) => unreachable!("just unpacked"),
        }
    }

    /// Bytes this chunk holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        let texts = match &self.texts {
            Stored::Open(texts) => texts.columns().iter().map(|t| t.heap_bytes()).sum(),
            Stored::Packed(packed) => packed.len(),
        };
        texts
            + self
                .metrics
                .iter()
                .map(MetricColumn::heap_bytes)
                .sum::<usize>()
            + self.verdicts.capacity() * std::mem::size_of::<Verdict>()
    }

    /// Appends `detail`'s list columns, its metrics read in `metric_names`' order.
    pub fn push(&mut self, detail: &Detail, metric_names: &[String]) {
        let id = detail.doc.id.as_deref().unwrap_or_default();
        // An Inspect sample has a row per epoch: `mc-07 e2`.
        let id = match detail.doc.extra.get("epoch").and_then(Json::as_i64) {
            Some(epoch) => format!("{id} e{epoch}"),
            None => id.to_owned(),
        };
        let prediction = match detail.prediction() {
            Prediction::Generated(text) => text,
            Prediction::Choice { text, .. } => text,
            Prediction::None => "",
        };
        let metrics: Vec<Option<f64>> = metric_names
            .iter()
            .map(|name| detail.metric_value(name))
            .collect();
        self.push_row(ListRow {
            id: &id,
            query: &one_line(&detail.doc.query, PREVIEW_CHARS),
            gold: &one_line(&detail.doc.golds().join(" | "), PREVIEW_CHARS),
            prediction: &one_line(prediction, PREVIEW_CHARS),
            verdict: Verdict::of_score(metrics.iter().flatten().next().copied()),
            metrics: &metrics,
        });
    }

    /// Appends a row of the list as shown.
    pub fn push_row(&mut self, row: ListRow<'_>) {
        let texts = self.open_texts();
        texts.ids.push(row.id);
        texts.queries.push(row.query);
        texts.golds.push(row.gold);
        texts.predictions.push(row.prediction);
        self.metrics
            .resize_with(row.metrics.len(), || MetricColumn::Values(Vec::new()));
        for (value, column) in row.metrics.iter().zip(self.metrics.iter_mut()) {
            column.push(value.unwrap_or(f64::NAN));
        }
        self.verdicts.push(row.verdict);
    }
}

/// A chunk's values of one metric. Most metrics take few values (0 and 1, or a score in
/// hundredths): a full chunk then keeps each distinct value once and a byte per row, exactly.
#[derive(Debug, Clone)]
enum MetricColumn {
    Values(Vec<f64>),
    Coded { values: Vec<f64>, codes: Vec<u8> },
}

impl MetricColumn {
    fn push(&mut self, value: f64) {
        if let MetricColumn::Coded { .. } = self {
            *self = MetricColumn::Values((0..self.len()).map(|i| self.get(i)).collect());
        }
        if let MetricColumn::Values(values) = self {
            values.push(value);
        }
    }

    fn len(&self) -> usize {
        match self {
            MetricColumn::Values(values) => values.len(),
            MetricColumn::Coded { codes, .. } => codes.len(),
        }
    }

    fn get(&self, row: usize) -> f64 {
        match self {
            MetricColumn::Values(values) => values[row],
            MetricColumn::Coded { values, codes } => values[codes[row] as usize],
        }
    }

    /// Codes the column when it takes at most 256 values (told apart by their bits, so NaN
    /// and -0.0 come back as they went in).
    fn seal(&mut self) {
        let MetricColumn::Values(column) = self else {
            return;
        };
        let mut values: Vec<f64> = Vec::new();
        let mut codes = Vec::with_capacity(column.len());
        for value in column.iter() {
            let code = match values.iter().position(|v| v.to_bits() == value.to_bits()) {
                Some(code) => code,
                None if values.len() < 256 => {
                    values.push(*value);
                    values.len() - 1
                }
                None => {
                    column.shrink_to_fit();
                    return;
                }
            };
            codes.push(code as u8);
        }
        *self = MetricColumn::Coded { values, codes };
    }

    fn heap_bytes(&self) -> usize {
        match self {
            MetricColumn::Values(values) => values.capacity() * 8,
            MetricColumn::Coded { values, codes } => values.capacity() * 8 + codes.capacity(),
        }
    }
}

/// Chunks unpacked lately, shared by a table's clones: drawing a screen, or walking the list in
/// order, unpacks each chunk once.
#[derive(Debug, Default)]
struct Unpacked(std::sync::Mutex<std::collections::VecDeque<(usize, Arc<ChunkTexts>)>>);

/// How many unpacked chunks a table keeps. A screen in file order spans two; sorted by a
/// metric, its rows may come from as many chunks as it has lines, each unpacked once and kept
/// for the next frame (at most about 18 MB).
const UNPACKED_CHUNKS: usize = 64;

/// One row of the Samples list: its previews, metric values and verdict.
#[derive(Debug, Clone, Copy)]
pub struct ListRow<'a> {
    pub id: &'a str,
    pub query: &'a str,
    pub gold: &'a str,
    pub prediction: &'a str,
    pub metrics: &'a [Option<f64>],
    pub verdict: Verdict,
}

/// The Samples screen's data: the columns of a task's list, in file order, in chunks of
/// [`CHUNK_ROWS`] rows. It grows while the loader reads; cloning it shares the chunks.
#[derive(Debug, Clone, Default)]
pub struct SampleTable {
    pub task: String,
    pub path: PathBuf,
    /// The opened file the Sample screen reads full rows from.
    pub file: Option<DetailsFile>,
    pub metric_names: Vec<String>,
    chunks: Vec<Arc<SampleChunk>>,
    len: usize,
    /// Every row is in. Until then the list shows what is, and says there is more.
    pub complete: bool,
    unpacked: Arc<Unpacked>,
}

impl SampleTable {
    /// An empty table of `task` whose rows carry `metric_names`' values.
    pub fn new(task: &str, metric_names: Vec<String>) -> Self {
        SampleTable {
            task: task.to_owned(),
            metric_names,
            ..SampleTable::default()
        }
    }

    /// An empty table of `task`'s rows in `file`, which the Sample screen reads whole rows from.
    pub fn of_file(task: &str, file: &DetailsFile) -> Self {
        SampleTable {
            path: file.path().to_owned(),
            file: Some(file.clone()),
            ..SampleTable::new(task, file.metric_names())
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the list holds on the heap (its chunks).
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.heap_bytes()).sum()
    }

    fn at(&self, row: usize) -> (&SampleChunk, usize) {
        (&self.chunks[row / CHUNK_ROWS], row % CHUNK_ROWS)
    }

    /// The texts of the chunk holding `row`, and the row's index in it.
    pub fn texts(&self, row: usize) -> (Arc<ChunkTexts>, usize) {
        let index = row / CHUNK_ROWS;
        let chunk = &self.chunks[index];
        if let Stored::Open(texts) = &chunk.texts {
            return (texts.clone(), row % CHUNK_ROWS);
        }
        let mut recent = self.unpacked.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, texts)) = recent.iter().find(|(i, _)| *i == index) {
            return (texts.clone(), row % CHUNK_ROWS);
        }
        let texts = chunk.texts();
        if recent.len() == UNPACKED_CHUNKS {
            recent.pop_front();
        }
        recent.push_back((index, texts.clone()));
        (texts, row % CHUNK_ROWS)
    }

    /// One row's texts, owned: for a single read; to walk rows, use [`SampleTable::reader`].
    pub fn row_text(&self, row: usize) -> RowText {
        let (chunk, index) = self.texts(row);
        RowText {
            id: chunk.id(index).to_owned(),
            query: chunk.query(index).to_owned(),
            gold: chunk.gold(index).to_owned(),
            prediction: chunk.prediction(index).to_owned(),
        }
    }

    /// Reads rows' texts, keeping the last chunk unpacked: walking rows in order unpacks each
    /// chunk once.
    pub fn reader(&self) -> TextsReader<'_> {
        TextsReader {
            table: self,
            current: None,
        }
    }

    pub fn verdict(&self, row: usize) -> Verdict {
        let (chunk, i) = self.at(row);
        chunk.verdicts[i]
    }

    /// Metric `metric` (an index into `metric_names`) of `row`; NaN where missing.
    pub fn metric(&self, metric: usize, row: usize) -> f64 {
        let (chunk, i) = self.at(row);
        chunk.metrics.get(metric).map_or(f64::NAN, |m| m.get(i))
    }

    /// Appends one sample (the loader appends whole chunks with [`SampleTable::append`]).
    pub fn push(&mut self, detail: &Detail) {
        if self.metric_names.is_empty() && self.is_empty() {
            self.metric_names = detail.metric.keys().cloned().collect();
        }
        let names = std::mem::take(&mut self.metric_names);
        self.last_chunk().push(detail, &names);
        self.metric_names = names;
        self.len += 1;
    }

    /// Appends a row as shown, its metrics in `metric_names`' order.
    pub fn push_row(&mut self, row: ListRow<'_>) {
        self.last_chunk().push_row(row);
        self.len += 1;
    }

    /// The chunk the next row goes to.
    fn last_chunk(&mut self) -> &mut SampleChunk {
        // A packed last chunk is about to change: its unpacked copy would be stale.
        if let Some(last) = self.chunks.last()
            && matches!(last.texts, Stored::Packed(_))
        {
            let index = self.chunks.len() - 1;
            self.unpacked
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|(i, _)| *i != index);
        }
        if self.len.is_multiple_of(CHUNK_ROWS) {
            // The full chunk before is never appended to again: it is packed as the loader's are.
            if let Some(full) = self.chunks.last_mut() {
                Arc::make_mut(full).seal();
            }
            self.chunks.push(Arc::default());
        }
        Arc::make_mut(self.chunks.last_mut().expect("a chunk was just made"))
    }

    /// Appends chunks that the loader read after the ones in the table; every chunk but the
    /// table's last holds [`CHUNK_ROWS`] rows.
    pub fn append(&mut self, chunks: impl IntoIterator<Item = Arc<SampleChunk>>) {
        for chunk in chunks {
            assert_eq!(
                self.len % CHUNK_ROWS,
                0,
                "rows appended after a short chunk"
            );
            self.len += chunk.len();
            self.chunks.push(chunk);
        }
    }
}

/// A row's texts as the list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowText {
    pub id: String,
    pub query: String,
    pub gold: String,
    pub prediction: String,
}

/// Rows' texts, one chunk unpacked at a time.
pub struct TextsReader<'t> {
    table: &'t SampleTable,
    current: Option<(usize, Arc<ChunkTexts>)>,
}

impl TextsReader<'_> {
    /// The texts of `row`'s chunk and its index there.
    pub fn row(&mut self, row: usize) -> (&ChunkTexts, usize) {
        let chunk = row / CHUNK_ROWS;
        if self.current.as_ref().is_none_or(|(c, _)| *c != chunk) {
            self.current = Some((chunk, self.table.texts(row).0));
        }
        let (_, texts) = self.current.as_ref().expect("just set");
        (texts, row % CHUNK_ROWS)
    }
}

/// Which list column a frequency view counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreqColumn {
    Prediction,
    Gold,
}

fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if haystack.is_ascii() && needle_lower.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle_lower.as_bytes());
        return n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(needle_lower)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Row `row`'s texts: accents, empty texts, short and long.
    fn text_of(row: usize) -> RowText {
        RowText {
            id: format!("id-{row}"),
            query: match row % 3 {
                0 => format!("Qu'est-ce que {row} ? ünï"),
                1 => String::new(),
                _ => format!("plain question {row}"),
            },
            gold: if row.is_multiple_of(2) { "A" } else { "" }.to_owned(),
            prediction: format!("p{}", row % 5),
        }
    }

    pub(crate) fn table_of(rows: usize) -> SampleTable {
        let mut table = SampleTable::new("t", vec!["acc".into()]);
        for row in 0..rows {
            let text = text_of(row);
            table.push_row(ListRow {
                id: &text.id,
                query: &text.query,
                gold: &text.gold,
                prediction: &text.prediction,
                metrics: &[Some((row % 2) as f64)],
                verdict: Verdict::of_score(Some((row % 2) as f64)),
            });
        }
        table
    }

    /// Full chunks are packed, and read back exactly what went in, through the reader and
    /// one row at a time; a packed last chunk takes more rows.
    #[test]
    fn packed_chunks_unpack_to_what_was_pushed() {
        let rows = CHUNK_ROWS * 2 + 5;
        let mut table = table_of(rows);
        let packed = |t: &SampleTable| {
            t.chunks
                .iter()
                .filter(|c| matches!(c.texts, Stored::Packed(_)))
                .count()
        };
        assert_eq!(packed(&table), 2, "the full chunks");
        let mut reader = table.reader();
        for row in 0..rows {
            let (chunk, index) = reader.row(row);
            let expected = text_of(row);
            assert_eq!(chunk.id(index), expected.id);
            assert_eq!(chunk.query(index), expected.query);
            assert_eq!(chunk.gold(index), expected.gold);
            assert_eq!(chunk.prediction(index), expected.prediction);
        }
        for row in (0..rows).rev() {
            assert_eq!(table.row_text(row), text_of(row));
        }
        Arc::make_mut(table.chunks.last_mut().unwrap()).seal();
        assert_eq!(packed(&table), 3);
        table.push_row(ListRow {
            id: "late",
            query: "q",
            gold: "",
            prediction: "",
            metrics: &[None],
            verdict: Verdict::of_score(None),
        });
        assert_eq!(table.row_text(rows).id, "late");
        assert_eq!(table.row_text(rows - 1), text_of(rows - 1));
    }

    /// A sealed metric column gives back every value exactly, NaN and -0.0 included, whether
    /// it was coded (few values) or kept (many), and takes more after.
    #[test]
    fn metric_columns_keep_their_values_exactly() {
        let few: Vec<f64> = (0..CHUNK_ROWS)
            .map(|i| match i % 4 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.1 + 0.2,
                _ => (i % 100) as f64 / 100.0,
            })
            .collect();
        let many: Vec<f64> = (0..CHUNK_ROWS).map(|i| i as f64 / 3.0).collect();
        for (values, coded) in [(few, true), (many, false)] {
            let mut column = MetricColumn::Values(Vec::new());
            values.iter().for_each(|v| column.push(*v));
            let plain_bytes = column.heap_bytes();
            column.seal();
            assert_eq!(matches!(column, MetricColumn::Coded { .. }), coded);
            if coded {
                assert!(column.heap_bytes() * 4 < plain_bytes);
            }
            for (row, value) in values.iter().enumerate() {
                assert_eq!(column.get(row).to_bits(), value.to_bits(), "row {row}");
            }
            column.push(7.5);
            assert_eq!(column.get(values.len()), 7.5);
            assert_eq!(column.get(0).to_bits(), values[0].to_bits());
        }
    }
}
