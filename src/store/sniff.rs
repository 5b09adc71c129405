//! Recognising a file by its content: the magic bytes of zip and Parquet, and the top-level keys
//! of a JSON document (or of a JSON-lines file's first line), read without loading the file.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};

use super::error::{Result, StoreError};
use super::log::FileHead;

/// How far into a JSON document its top-level keys are looked for. The keys that tell formats
/// apart come first in every harness's files; a large value before them is skipped, not parsed.
const JSON_HEAD_BYTES: u64 = 4 << 20;
/// The longest first line of a JSON-lines file that is read.
const FIRST_LINE_BYTES: u64 = 16 << 20;

/// The head of `path`: magic bytes, and JSON keys for `.json` and `.jsonl` files.
pub fn file_head(path: &Path) -> Result<FileHead> {
    let mut file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut magic = [0u8; 4];
    let read = read_up_to(&mut file, &mut magic).map_err(|e| StoreError::io(path, e))?;
    let magic = &magic[..read];
    let mut head = FileHead {
        zip: magic == b"PK\x03\x04",
        parquet: magic == b"PAR1",
        ..FileHead::default()
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".jsonl") {
        let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
        let mut line = Vec::new();
        BufReader::new(file.take(FIRST_LINE_BYTES))
            .read_until(b'\n', &mut line)
            .map_err(|e| StoreError::io(path, e))?;
        head.first_line_keys = top_level_keys(&line[..]);
    } else if name.ends_with(".json") {
        let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
        head.json_keys = top_level_keys(BufReader::new(file.take(JSON_HEAD_BYTES)));
    }
    Ok(head)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The keys of the top-level object in `reader`, in order, until the input ends or stops
/// parsing: a document cut short by the byte limit still gives the keys before the cut.
pub fn top_level_keys(reader: impl Read) -> Vec<String> {
    let keys = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    // The visitor records each key as it passes; the error a cut document ends with is expected.
    let _ = deserializer.deserialize_map(KeyCollector { keys: &keys });
    keys.into_inner()
}

struct KeyCollector<'a> {
    keys: &'a RefCell<Vec<String>>,
}

impl<'de> Visitor<'de> for KeyCollector<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.keys.borrow_mut().push(key);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_document_cut_short_are_the_ones_before_the_cut() {
        let text =
            br#"{"version": 2, "status": "success", "eval": {"task": "x"}, "samples": [1, 2"#;
        assert_eq!(
            top_level_keys(&text[..]),
            ["version", "status", "eval", "samples"]
        );
        assert!(top_level_keys(&b"[1, 2]"[..]).is_empty());
        assert!(top_level_keys(&b"not json"[..]).is_empty());
    }
}
