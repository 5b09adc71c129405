//! A Hub file read by range, through a block cache on disk beside `hf-hub`'s own: the Parquet
//! reader asks for the footer and then for the pages it decodes, and each block of the file is
//! fetched once. What was read once reads again offline.

use std::collections::VecDeque;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};

use super::RepoError;
use crate::hub::{HubClient, Repo};
use crate::store::RemoteBytes;
use crate::store::RemoteError;

/// The unit fetched and cached. A page header read pulls one block; a footer, a page or a run of
/// pages pulls the blocks it covers, the missing ones in one request.
pub(super) const BLOCK: u64 = 128 * 1024;
/// Blocks kept in memory, so the many small reads of page headers do not each hit the disk.
const RECENT_BLOCKS: usize = 16;

/// One file of a repo at one commit.
pub(super) struct HubFile {
    pub client: Option<Arc<HubClient>>,
    pub repo: Repo,
    pub commit: String,
    pub path_in_repo: String,
    pub len: u64,
    /// This file's blocks, one file each, named by their index.
    pub blocks_dir: PathBuf,
    recent: Mutex<VecDeque<(u64, Bytes)>>,
}

impl HubFile {
    /// `client` is `None` offline: only cached blocks can be read.
    pub fn new(
        client: Option<Arc<HubClient>>,
        repo: Repo,
        commit: String,
        path_in_repo: String,
        len: u64,
        blocks_dir: PathBuf,
    ) -> HubFile {
        HubFile {
            client,
            repo,
            commit,
            path_in_repo,
            len,
            blocks_dir,
            recent: Mutex::new(VecDeque::new()),
        }
    }

    fn block_len(&self, block: u64) -> u64 {
        BLOCK.min(self.len - block * BLOCK)
    }

    fn cached(&self, block: u64) -> Option<Bytes> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, bytes)) = recent.iter().find(|(b, _)| *b == block) {
            return Some(bytes.clone());
        }
        drop(recent);
        let bytes = std::fs::read(self.blocks_dir.join(block.to_string())).ok()?;
        // A block of the wrong size is not this file's (or was cut short): fetch it again.
        (bytes.len() as u64 == self.block_len(block)).then(|| {
            let bytes = Bytes::from(bytes);
            self.remember(block, bytes.clone());
            bytes
        })
    }

    fn remember(&self, block: u64, bytes: Bytes) {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() == RECENT_BLOCKS {
            recent.pop_front();
        }
        recent.push_back((block, bytes));
    }

    /// Fetches blocks `blocks` in one request and caches each. A cache that cannot be written
    /// costs only a later fetch, so that is not an error.
    fn fetch(&self, blocks: Range<u64>) -> Result<Vec<Bytes>, RepoError> {
        let Some(client) = &self.client else {
            return Err(RepoError::NotCached(format!(
                "bytes {}–{} of {} were never read here",
                blocks.start * BLOCK,
                (blocks.end * BLOCK).min(self.len),
                self.path_in_repo
            )));
        };
        let start = blocks.start * BLOCK;
        let end = (blocks.end * BLOCK).min(self.len);
        let body = client
            .read_ranges(
                &self.repo,
                &self.commit,
                (&self.path_in_repo, self.len),
                std::slice::from_ref(&(start..end)),
            )
            .pop()
            .ok_or(RepoError::NoAnswer)??;
        Ok(self.keep(blocks, &body))
    }

    /// Caches blocks `blocks`, which `body` holds from the first one's start.
    fn keep(&self, blocks: Range<u64>, body: &Bytes) -> Vec<Bytes> {
        let start = blocks.start * BLOCK;
        let _ = std::fs::create_dir_all(&self.blocks_dir);
        blocks
            .map(|block| {
                let from = ((block * BLOCK) - start) as usize;
                let bytes = body.slice(from..from + self.block_len(block) as usize);
                let _ = write_block(&self.blocks_dir.join(block.to_string()), &bytes);
                self.remember(block, bytes.clone());
                bytes
            })
            .collect()
    }

    fn is_cached(&self, block: u64) -> bool {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.iter().any(|(b, _)| *b == block)
            || std::fs::metadata(self.blocks_dir.join(block.to_string()))
                .is_ok_and(|m| m.len() == self.block_len(block))
    }
}

/// A block into the cache: written beside, then renamed, so a block is whole or absent. Not
/// synced: a block lost in a crash is fetched again, and a sync per 128 KiB is slow on disks.
fn write_block(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

impl RemoteBytes for HubFile {
    fn len(&self) -> u64 {
        self.len
    }

    fn prefetch(&self, ranges: &[Range<u64>]) {
        let Some(client) = &self.client else { return };
        let mut blocks: Vec<u64> = ranges
            .iter()
            .filter(|r| r.start < r.end && r.end <= self.len)
            .flat_map(|r| r.start / BLOCK..=(r.end - 1) / BLOCK)
            .collect();
        blocks.sort_unstable();
        blocks.dedup();
        blocks.retain(|&b| !self.is_cached(b));
        // Runs of neighbouring blocks go in one request each.
        let mut spans: Vec<Range<u64>> = Vec::new();
        for block in blocks {
            match spans.last_mut() {
                Some(span) if span.end == block => span.end += 1,
                _ => spans.push(block..block + 1),
            }
        }
        if spans.is_empty() {
            return;
        }
        let byte_ranges: Vec<Range<u64>> = spans
            .iter()
            .map(|span| span.start * BLOCK..(span.end * BLOCK).min(self.len))
            .collect();
        let answers = client.read_ranges(
            &self.repo,
            &self.commit,
            (&self.path_in_repo, self.len),
            &byte_ranges,
        );
        for (span, answer) in spans.into_iter().zip(answers) {
            if let Ok(body) = answer {
                self.keep(span, &body);
            }
        }
    }

    fn read(&self, range: Range<u64>) -> Result<Bytes, RemoteError> {
        if range.start >= range.end {
            return Ok(Bytes::new());
        }
        if range.end > self.len {
            return Err(RepoError::PastTheEnd {
                end: range.end,
                in_repo: self.path_in_repo.clone(),
                len: self.len,
            }
            .into());
        }
        let first = range.start / BLOCK;
        let last = (range.end - 1) / BLOCK;
        let mut blocks: Vec<Option<Bytes>> = (first..=last).map(|b| self.cached(b)).collect();
        let mut i = 0;
        while i < blocks.len() {
            if blocks[i].is_some() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < blocks.len() && blocks[j].is_none() {
                j += 1;
            }
            let fetched = self.fetch(first + i as u64..first + j as u64)?;
            for (slot, bytes) in blocks[i..j].iter_mut().zip(fetched) {
                *slot = Some(bytes);
            }
            i = j;
        }
        let skip = (range.start - first * BLOCK) as usize;
        let wanted = (range.end - range.start) as usize;
        if let [Some(only)] = blocks.as_slice() {
            return Ok(only.slice(skip..skip + wanted));
        }
        let mut out = BytesMut::with_capacity(wanted);
        for bytes in blocks.into_iter().flatten() {
            out.extend_from_slice(&bytes);
        }
        Ok(out.freeze().slice(skip..skip + wanted))
    }
}
