//! Writing details Parquet files in lighteval ≥ 0.11's nested layout (`doc`, `metric`,
//! `model_response` structs, columns sorted). As with `datasets`, column types follow the values:
//! a field that is None in every row has Arrow type `null`, a list that is always empty is
//! `list<null>`, ints and floats together become floats.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, ListArray, NullArray, RecordBatch,
    StringBuilder, StructArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{DataType, Field, Fields};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::error::{Result, StoreError};
use super::pyjson::{self, WriteOptions};
use super::write::write_atomically_with;
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
fn build(ty: &Ty, values: &[&Json]) -> Result<ArrayRef, arrow::error::ArrowError> {
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
                .map(|(name, field_ty)| {
                    let column: Vec<&Json> = values
                        .iter()
                        .map(|v| v.get(name).unwrap_or(&NULL))
                        .collect();
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

fn nulls(valid: Vec<bool>) -> Option<NullBuffer> {
    valid.iter().any(|v| !v).then(|| NullBuffer::from(valid))
}

/// The rows as one record batch, columns sorted by name as lighteval's `save()` does.
pub fn details_batch(rows: &[Map]) -> Result<RecordBatch, arrow::error::ArrowError> {
    let mut names: Vec<&String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !names.contains(&key) {
                names.push(key);
            }
        }
    }
    names.sort();
    let columns: Vec<(String, ArrayRef)> = names
        .iter()
        .map(|name| {
            let values: Vec<&Json> = rows.iter().map(|r| r.get(*name).unwrap_or(&NULL)).collect();
            let ty = values.iter().map(|v| infer(v)).fold(Ty::Null, merge);
            Ok(((*name).clone(), build(&ty, &values)?))
        })
        .collect::<Result<_, arrow::error::ArrowError>>()?;
    if columns.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::new(
            arrow::datatypes::Schema::empty(),
        )));
    }
    RecordBatch::try_from_iter_with_nullable(
        columns.into_iter().map(|(name, array)| (name, array, true)),
    )
}

/// Writes `rows` (objects with `doc`, `metric`, `model_response`) as a details file, atomically.
pub fn write_details(path: &Path, rows: &[Map]) -> Result<()> {
    let batch = details_batch(rows).map_err(|e| StoreError::parquet(path, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    write_atomically_with(path, |file| {
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props))
            .map_err(|e| StoreError::parquet(path, e))?;
        writer
            .write(&batch)
            .map_err(|e| StoreError::parquet(path, e))?;
        writer.close().map_err(|e| StoreError::parquet(path, e))?;
        Ok(())
    })
}
