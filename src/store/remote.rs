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

/// A remote file's bytes, by range. Implementations fetch what they lack and may cache it.
pub trait RemoteBytes: Send + Sync {
    /// The file's length in bytes.
    fn len(&self) -> u64;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Exactly the bytes of `range` (which lies inside the file), or why they could not be read.
    fn read(&self, range: Range<u64>) -> std::result::Result<Bytes, String>;
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
                bytes.read(start..end).map_err(ParquetError::General)
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

        fn read(&self, range: Range<u64>) -> std::result::Result<Bytes, String> {
            self.asked.lock().unwrap().push(range.clone());
            Ok(Bytes::copy_from_slice(
                &self.content[range.start as usize..range.end as usize],
            ))
        }
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
