//! Writing details Parquet files in lighteval ≥ 0.11's nested layout (`doc`, `metric`,
//! `model_response` structs, columns sorted). As with `datasets`, column types follow the values:
//! a field that is None in every row has Arrow type `null`, a list that is always empty is
//! `list<null>`, ints and floats together become floats.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, ListArray, NullArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Fields};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::error::{Result, StoreError};
use super::write::write_atomically_with;
use crate::model::pyjson::{self, WriteOptions};
use crate::model::{Json, Map};

/// The type a column's values share.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Null,
    Bool,
    Int,
    Float,
    Str,
    List(Box<Ty>),
    Struct(Vec<(String, Ty)>),
    /// Values of clashing types, stored as their JSON text.
    Text,
}

fn infer(value: &Json) -> Ty {
    match value {
        Json::Null => Ty::Null,
        Json::Bool(_) => Ty::Bool,
        Json::Int(_) => Ty::Int,
        Json::BigInt(_) => Ty::Text,
        Json::Float(_) => Ty::Float,
        Json::Str(_) => Ty::Str,
        Json::Array(items) => Ty::List(Box::new(items.iter().map(infer).fold(Ty::Null, merge))),
        // Parquet cannot store a struct without fields; `{}` is stored as null.
        Json::Object(map) if map.is_empty() => Ty::Null,
        Json::Object(map) => Ty::Struct(map.iter().map(|(k, v)| (k.clone(), infer(v))).collect()),
    }
}

fn merge(a: Ty, b: Ty) -> Ty {
    match (a, b) {
        (Ty::Null, other) | (other, Ty::Null) => other,
        (a, b) if a == b => a,
        (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) => Ty::Float,
        (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(merge(*a, *b))),
        (Ty::Struct(mut a), Ty::Struct(b)) => {
            for (name, ty) in b {
                match a.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, existing)) => {
                        *existing = merge(std::mem::replace(existing, Ty::Null), ty)
                    }
                    None => a.push((name, ty)),
                }
            }
            Ty::Struct(a)
        }
        _ => Ty::Text,
    }
}

/// `merge(ty, infer(value))` in place: allocates only for fields seen for the first time, so
/// learning the schema of a million rows costs little.
fn absorb(ty: &mut Ty, value: &Json) {
    match (&mut *ty, value) {
        (_, Json::Null) | (Ty::Text, _) => {}
        (Ty::Null, _) => *ty = infer(value),
        (Ty::Bool, Json::Bool(_))
        | (Ty::Int, Json::Int(_))
        | (Ty::Float, Json::Float(_))
        | (Ty::Str, Json::Str(_)) => {}
        (Ty::Float, Json::Int(_)) => {}
        (Ty::Int, Json::Float(_)) => *ty = Ty::Float,
        (Ty::List(item), Json::Array(items)) => items.iter().for_each(|v| absorb(item, v)),
        (Ty::Struct(_), Json::Object(map)) if map.is_empty() => {}
        (Ty::Struct(fields), Json::Object(map)) => {
            for (position, (name, v)) in map.iter().enumerate() {
                let slot = match fields.get(position) {
                    Some((n, _)) if n == name => Some(position),
                    _ => fields.iter().position(|(n, _)| n == name),
                };
                match slot {
                    Some(i) => absorb(&mut fields[i].1, v),
                    None => fields.push((name.clone(), infer(v))),
                }
            }
        }
        _ => *ty = merge(std::mem::replace(ty, Ty::Null), infer(value)),
    }
}

fn data_type(ty: &Ty) -> DataType {
    match ty {
        Ty::Null => DataType::Null,
        Ty::Bool => DataType::Boolean,
        Ty::Int => DataType::Int64,
        Ty::Float => DataType::Float64,
        Ty::Str | Ty::Text => DataType::Utf8,
        Ty::List(item) => DataType::List(Arc::new(Field::new("item", data_type(item), true))),
        Ty::Struct(fields) => DataType::Struct(struct_fields(fields)),
    }
}

fn struct_fields(fields: &[(String, Ty)]) -> Fields {
    fields
        .iter()
        .map(|(name, ty)| Field::new(name, data_type(ty), true))
        .collect()
}

static NULL: Json = Json::Null;

/// Builds the Arrow array of `values`, all of type `ty`.
fn build(ty: &Ty, values: &[&Json]) -> Result<ArrayRef, arrow_schema::ArrowError> {
    Ok(match ty {
        Ty::Null => Arc::new(NullArray::new(values.len())),
        Ty::Bool => {
            let mut b = BooleanBuilder::with_capacity(values.len());
            values.iter().for_each(|v| b.append_option(v.as_bool()));
            Arc::new(b.finish())
        }
        Ty::Int => {
            let mut b = Int64Builder::with_capacity(values.len());
            values.iter().for_each(|v| b.append_option(v.as_i64()));
            Arc::new(b.finish())
        }
        Ty::Float => {
            let mut b = Float64Builder::with_capacity(values.len());
            values
                .iter()
                .for_each(|v| b.append_option(if v.is_null() { None } else { v.as_f64() }));
            Arc::new(b.finish())
        }
        Ty::Str | Ty::Text => {
            let mut b = StringBuilder::new();
            for v in values {
                match v {
                    Json::Null => b.append_null(),
                    Json::Str(s) => b.append_value(s),
                    other => b.append_value(pyjson::to_string(other, WriteOptions::STRICT_COMPACT)),
                }
            }
            Arc::new(b.finish())
        }
        Ty::List(item) => {
            let mut offsets = Vec::with_capacity(values.len() + 1);
            offsets.push(0i32);
            let mut children: Vec<&Json> = Vec::new();
            let mut valid = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Json::Array(items) => {
                        children.extend(items.iter());
                        valid.push(true);
                    }
                    _ => valid.push(false),
                }
                offsets.push(children.len() as i32);
            }
            let child = build(item, &children)?;
            let field = Arc::new(Field::new("item", data_type(item), true));
            Arc::new(ListArray::try_new(
                field,
                OffsetBuffer::new(offsets.into()),
                child,
                nulls(valid),
            )?)
        }
        Ty::Struct(fields) => {
            let columns: Vec<ArrayRef> = fields
                .iter()
                .enumerate()
                .map(|(position, (name, field_ty))| {
                    let column: Vec<&Json> =
                        values.iter().map(|v| field(v, position, name)).collect();
                    build(field_ty, &column)
                })
                .collect::<Result<_, _>>()?;
            let valid = values.iter().map(|v| v.as_object().is_some()).collect();
            Arc::new(StructArray::try_new(
                struct_fields(fields),
                columns,
                nulls(valid),
            )?)
        }
    })
}

/// Member `name` of an object, trying `position` first: rows of one task list their fields in
/// the same order, so this usually avoids hashing the name.
fn field<'a>(value: &'a Json, position: usize, name: &str) -> &'a Json {
    let Json::Object(map) = value else {
        return &NULL;
    };
    match map.get_index(position) {
        Some((key, found)) if key == name => found,
        _ => map.get(name).unwrap_or(&NULL),
    }
}

fn nulls(valid: Vec<bool>) -> Option<NullBuffer> {
    valid.iter().any(|v| !v).then(|| NullBuffer::from(valid))
}

/// Column names and types of a set of rows (columns sorted by name when written, as lighteval's
/// `save()` does). Built as rows arrive, so writing needs no extra pass over them.
#[derive(Debug, Clone, Default)]
pub struct RowSchema {
    columns: Vec<(String, Ty)>,
}

impl RowSchema {
    pub fn add(&mut self, row: &Map) {
        let columns: Vec<(&str, &Json)> = row.iter().map(|(k, v)| (k.as_str(), v)).collect();
        self.add_columns(&columns);
    }

    /// Adds one row given as its top-level columns.
    pub fn add_columns(&mut self, columns: &[(&str, &Json)]) {
        for (name, value) in columns {
            match self.columns.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => absorb(existing, value),
                None => self.columns.push(((*name).to_owned(), infer(value))),
            }
        }
    }

    fn sorted(mut self) -> Self {
        self.columns.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    fn batch(&self, rows: &[Map]) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let columns: Vec<(String, ArrayRef, bool)> = self
            .columns
            .iter()
            .map(|(name, ty)| {
                let values: Vec<&Json> =
                    rows.iter().map(|r| r.get(name).unwrap_or(&NULL)).collect();
                Ok((name.clone(), build(ty, &values)?, true))
            })
            .collect::<Result<_, arrow_schema::ArrowError>>()?;
        if columns.is_empty() {
            return Ok(RecordBatch::new_empty(Arc::new(
                arrow_schema::Schema::empty(),
            )));
        }
        RecordBatch::try_from_iter_with_nullable(columns)
    }
}

/// Rows per record batch when writing from JSON text, so memory holds one batch of trees.
const WRITE_BATCH_ROWS: usize = 8_192;

fn parse_row(path: &Path, text: &str) -> Result<Map> {
    match pyjson::parse(text) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(StoreError::parquet(
            path,
            format!("a details row is {}, expected an object", other.kind()),
        )),
        Err(e) => Err(StoreError::parquet(
            path,
            format!("a details row is not JSON: {e}"),
        )),
    }
}

/// Writes rows stored as compact JSON text (one object per row) as a details file, atomically,
/// with their schema already known (the tracker learns it as rows are logged): the rows are
/// parsed once, batch by batch, so memory holds one batch of trees however many rows there are.
pub fn write_details_text_with(path: &Path, schema: RowSchema, rows: &[String]) -> Result<()> {
    let chunks = rows.chunks(WRITE_BATCH_ROWS).map(|chunk| {
        chunk
            .iter()
            .map(|text| parse_row(path, text))
            .collect::<Result<Vec<_>>>()
            .map(Cow::Owned)
    });
    write_chunks(path, schema, chunks)
}

/// The one Parquet writing loop: `schema`'s columns (sorted), one record batch per chunk of
/// rows, written atomically.
fn write_chunks<'a>(
    path: &Path,
    schema: RowSchema,
    chunks: impl Iterator<Item = Result<Cow<'a, [Map]>>>,
) -> Result<()> {
    let schema = schema.sorted();
    let first = schema
        .batch(&[])
        .map_err(|e| StoreError::parquet(path, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    write_atomically_with(path, |file| {
        let mut writer = ArrowWriter::try_new(file, first.schema(), Some(props))
            .map_err(|e| StoreError::parquet(path, e))?;
        for chunk in chunks {
            let batch = schema
                .batch(&chunk?)
                .map_err(|e| StoreError::parquet(path, e))?;
            writer
                .write(&batch)
                .map_err(|e| StoreError::parquet(path, e))?;
        }
        writer.close().map_err(|e| StoreError::parquet(path, e))?;
        Ok(())
    })
}

/// Writes `rows` (objects with `doc`, `metric`, `model_response`) as a details file, atomically.
pub fn write_details(path: &Path, rows: &[Map]) -> Result<()> {
    let mut schema = RowSchema::default();
    rows.iter().for_each(|row| schema.add(row));
    write_chunks(
        path,
        schema,
        rows.chunks(WRITE_BATCH_ROWS)
            .map(|chunk| Ok(Cow::Borrowed(chunk))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Absorbing values one by one gives the same type as inferring each and merging.
    #[test]
    fn absorb_agrees_with_merge() {
        let values = [
            "null",
            "1",
            "1.5",
            "true",
            "\"s\"",
            "[]",
            "[1]",
            "[1.5, null]",
            "[[1], []]",
            "{}",
            "{\"a\": 1}",
            "{\"b\": [1], \"a\": 2.5}",
            "{\"a\": null, \"c\": {\"d\": \"x\"}}",
            "[{\"a\": 1}, {}]",
        ];
        let parsed: Vec<Json> = values.iter().map(|v| pyjson::parse(v).unwrap()).collect();
        for first in &parsed {
            for second in &parsed {
                for third in &parsed {
                    let merged = [first, second, third]
                        .iter()
                        .map(|v| infer(v))
                        .fold(Ty::Null, merge);
                    let mut absorbed = Ty::Null;
                    for v in [first, second, third] {
                        absorb(&mut absorbed, v);
                    }
                    assert_eq!(absorbed, merged, "{first:?} {second:?} {third:?}");
                }
            }
        }
    }
}
