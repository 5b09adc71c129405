//! Details files read by range where they live (on the Hub), not downloaded first. The store
//! knows nothing of HTTP: a source hands it a [`RemoteBytes`] per file, and the Parquet reader
//! asks it for the footer and then only the pages of the columns and rows it decodes.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

/// Why a remote file could not be read: the source's own error (the store knows no HTTP).
pub type RemoteError = Box<dyn std::error::Error + Send + Sync>;

/// A remote file's bytes, by range. Implementations fetch what they lack and may cache it.
pub trait RemoteBytes: Send + Sync {
    /// The file's length in bytes.
    fn len(&self) -> u64;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Exactly the bytes of `range` (which lies inside the file), or why they could not be read.
    fn read(&self, range: Range<u64>) -> std::result::Result<Bytes, RemoteError>;

    /// The reader is about to read `ranges`: fetch what is missing of them at once (concurrently),
    /// rather than one range at a time as the decoder asks. A failure here is not an error: the
    /// reads that follow fetch again and say what went wrong.
    fn prefetch(&self, _ranges: &[Range<u64>]) {}
}

impl std::fmt::Debug for dyn RemoteBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteBytes({} bytes)", self.len())
    }
}

/// Files with one column chunk at most this long are prefetched whole when there is no offset
/// index to say where their pages are; longer ones, up to this much of their start.
const PREFETCH_WITHOUT_INDEX: u64 = 256 * 1024;

/// The byte ranges that rows `rows` of the columns in `mask` (all when `None`) sit in: each
/// column chunk's dictionary page and the data pages holding those rows, by the offset index.
/// Without an offset index, only a read from a row group's first row is foreseen (the start of
/// each column chunk).
pub(crate) fn page_ranges(
    metadata: &parquet::file::metadata::ParquetMetaData,
    mask: Option<&parquet::arrow::ProjectionMask>,
    rows: Range<u64>,
) -> Vec<Range<u64>> {
    let mut ranges = Vec::new();
    let mut group_start = 0u64;
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        let group_rows = u64::try_from(row_group.num_rows()).unwrap_or(0);
        let (first, end) = (group_start, group_start.saturating_add(group_rows));
        group_start = end;
        if end <= rows.start || first >= rows.end {
            continue;
        }
        let wanted = rows.start.saturating_sub(first)..(rows.end - first).min(group_rows);
        for (column, chunk) in row_group.columns().iter().enumerate() {
            if mask.is_some_and(|m| !m.leaf_included(column)) {
                continue;
            }
            let pages = metadata
                .page_index()
                .and_then(|index| index.page_locations(group, column))
                .filter(|pages| !pages.is_empty());
            let Some(pages) = pages else {
                // Offsets from the footer, unchecked by the decoder: a bad one is skipped here
                // (`byte_range` would panic on it) and the read that follows reports it.
                let start = chunk
                    .dictionary_page_offset()
                    .unwrap_or(chunk.data_page_offset());
                if wanted.start == 0
                    && let (Ok(start), Ok(length)) =
                        (u64::try_from(start), u64::try_from(chunk.compressed_size()))
                {
                    ranges.push(start..start.saturating_add(length.min(PREFETCH_WITHOUT_INDEX)));
                }
                continue;
            };
            let first_page = u64::try_from(pages[0].offset).unwrap_or(0);
            // Some writers record an absent dictionary page at offset 0: a "dictionary" longer
            // than the whole column chunk is not one.
            if let Some(dictionary) = chunk.dictionary_page_offset()
                && let Ok(dictionary) = u64::try_from(dictionary)
                && dictionary < first_page
                && first_page - dictionary <= u64::try_from(chunk.compressed_size()).unwrap_or(0)
            {
                ranges.push(dictionary..first_page);
            }
            for (i, page) in pages.iter().enumerate() {
                let page_first = u64::try_from(page.first_row_index).unwrap_or(0);
                let page_end = pages.get(i + 1).map_or(group_rows, |next| {
                    u64::try_from(next.first_row_index).unwrap_or(0)
                });
                if page_end > wanted.start && page_first < wanted.end {
                    let offset = u64::try_from(page.offset).unwrap_or(0);
                    let size = u64::try_from(page.compressed_page_size).unwrap_or(0);
                    ranges.push(offset..offset.saturating_add(size));
                }
            }
        }
    }
    ranges
}

/// How much a sequential read (a page header, which has no length before it is parsed) asks for
/// at a time.
const READ_AHEAD: u64 = 16 * 1024;

/// A Parquet file's bytes for the Parquet crate: the local file, or a remote one read by range.
pub(crate) enum Chunks {
    Local(File),
    Remote(Arc<dyn RemoteBytes>),
}

impl Length for Chunks {
    fn len(&self) -> u64 {
        match self {
            Chunks::Local(file) => file.len(),
            Chunks::Remote(bytes) => bytes.len(),
        }
    }
}

impl ChunkReader for Chunks {
    type T = Box<dyn Read + Send>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        match self {
            Chunks::Local(file) => Ok(Box::new(file.get_read(start)?)),
            Chunks::Remote(bytes) => Ok(Box::new(RemoteRead {
                bytes: bytes.clone(),
                position: start,
                buffer: Bytes::new(),
            })),
        }
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        match self {
            Chunks::Local(file) => file.get_bytes(start, length),
            Chunks::Remote(bytes) => {
                let end = start
                    .checked_add(length as u64)
                    .filter(|end| *end <= bytes.len())
                    .ok_or_else(|| {
                        ParquetError::EOF(format!(
                            "{length} bytes at {start} asked for, the file has {}",
                            bytes.len()
                        ))
                    })?;
                bytes
                    .read(start..end)
                    .map_err(|e| ParquetError::General(e.to_string()))
            }
        }
    }
}

/// A sequential read of a remote file, fetched a little at a time as it is consumed.
struct RemoteRead {
    bytes: Arc<dyn RemoteBytes>,
    position: u64,
    buffer: Bytes,
}

impl Read for RemoteRead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.buffer.is_empty() {
            let end = (self.position + READ_AHEAD.max(out.len() as u64)).min(self.bytes.len());
            if self.position >= end {
                return Ok(0);
            }
            self.buffer = self
                .bytes
                .read(self.position..end)
                .map_err(std::io::Error::other)?;
            self.position = end;
        }
        let n = out.len().min(self.buffer.len());
        out[..n].copy_from_slice(&self.buffer[..n]);
        self.buffer = self.buffer.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// An in-memory file that records every range asked of it.
    struct Recorded {
        content: Vec<u8>,
        asked: Mutex<Vec<Range<u64>>>,
    }

    impl RemoteBytes for Recorded {
        fn len(&self) -> u64 {
            self.content.len() as u64
        }

        fn read(&self, range: Range<u64>) -> std::result::Result<Bytes, RemoteError> {
            self.asked.lock().unwrap().push(range.clone());
            Ok(Bytes::copy_from_slice(
                &self.content[range.start as usize..range.end as usize],
            ))
        }
    }

    /// The pages `page_ranges` foresees are the pages the decoder then reads: after the
    /// prefetch, every read of rows deep in a file with an offset index falls inside a
    /// prefetched range.
    #[test]
    fn prefetched_ranges_cover_what_the_decoder_reads() {
        use arrow_array::{Int64Array, RecordBatch, StringArray};
        use parquet::arrow::ArrowWriter;
        use parquet::arrow::arrow_reader::{
            ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
            RowSelector,
        };
        use parquet::file::metadata::PageIndexPolicy;
        use parquet::file::properties::WriterProperties;

        let rows = 10_000usize;
        let ids = StringArray::from_iter_values((0..rows).map(|i| format!("sample-{i:05}")));
        let values = Int64Array::from_iter_values((0..rows as i64).map(|i| i * 7));
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(ids) as arrow_array::ArrayRef),
            ("value", Arc::new(values) as arrow_array::ArrayRef),
        ])
        .unwrap();
        let props = WriterProperties::builder()
            .set_data_page_row_count_limit(1_000)
            .set_write_batch_size(100)
            .set_max_row_group_row_count(Some(4_000))
            // Unique ids make a dictionary page that spans the row group; plain pages show
            // the selection page by page.
            .set_dictionary_enabled(false)
            .build();
        let mut content = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut content, batch.schema(), Some(props)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();

        let remote = Arc::new(Recorded {
            content,
            asked: Mutex::new(Vec::new()),
        });
        let chunks = Chunks::Remote(remote.clone());
        let options = ArrowReaderOptions::new()
            .with_page_index_policy(PageIndexPolicy::Skip)
            .with_offset_index_policy(PageIndexPolicy::Required);
        let metadata = ArrowReaderMetadata::load(&chunks, options).unwrap();
        let (from, count) = (5_500u64, 100usize);
        let foreseen = page_ranges(metadata.metadata(), None, from..from + count as u64);
        assert!(!foreseen.is_empty());
        let row_groups = metadata.metadata().row_groups().len();
        assert!(row_groups >= 3, "several row groups: {row_groups}");
        remote.asked.lock().unwrap().clear();
        let selection = RowSelection::from(vec![
            RowSelector::skip(from as usize),
            RowSelector::select(count),
        ]);
        let mut reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            Chunks::Remote(remote.clone()),
            metadata,
        )
        .with_row_selection(selection)
        .build()
        .unwrap();
        let batch = reader.next().unwrap().unwrap();
        assert_eq!(batch.num_rows(), count);
        let ids = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(ids.value(0), format!("sample-{from:05}"));
        let asked = remote.asked.lock().unwrap().clone();
        assert!(!asked.is_empty());
        for read in &asked {
            assert!(
                foreseen
                    .iter()
                    .any(|r| r.start <= read.start && read.end <= r.end),
                "{read:?} was not foreseen in {foreseen:?}"
            );
        }
        // Only the pages of those rows: far less than the file.
        let total: u64 = foreseen.iter().map(|r| r.end - r.start).sum();
        assert!(total * 4 < remote.len(), "{total} of {}", remote.len());
    }

    #[test]
    fn sequential_reads_fetch_in_steps_and_stop_at_the_end() {
        let content: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        let remote = Arc::new(Recorded {
            content: content.clone(),
            asked: Mutex::new(Vec::new()),
        });
        let chunks = Chunks::Remote(remote.clone());
        let mut read = chunks.get_read(100).unwrap();
        let mut first = [0u8; 10];
        read.read_exact(&mut first).unwrap();
        assert_eq!(first, content[100..110]);
        assert_eq!(*remote.asked.lock().unwrap(), vec![100..100 + READ_AHEAD]);
        let mut rest = Vec::new();
        read.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, content[110..]);
        assert_eq!(
            chunks.get_bytes(39_990, 10).unwrap(),
            Bytes::copy_from_slice(&content[39_990..])
        );
        assert!(chunks.get_bytes(39_990, 11).is_err(), "past the end");
    }
}
