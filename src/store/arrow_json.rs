//! Arrow cells as [`Json`] values, whatever the column's type: details files have no fixed schema
//! (an all-zero metric is `int64`, an always-None field is `null`, an always-empty list is
//! `list<null>`), so rows are read by following the types that are there.

use arrow_array::cast::AsArray;
use arrow_array::types;
use arrow_array::{Array, ArrayRef, FixedSizeListArray, GenericListArray, OffsetSizeTrait};
use arrow_schema::DataType;

use crate::model::{Json, Map};

/// The value at `row` of `array`, as JSON. Types with no JSON counterpart (dates, decimals, …) are
/// rendered as text by Arrow's display formatter rather than dropped.
pub fn cell(array: &dyn Array, row: usize) -> Json {
    if array.is_null(row) {
        return Json::Null;
    }
    match array.data_type() {
        DataType::Null => Json::Null,
        DataType::Boolean => Json::Bool(array.as_boolean().value(row)),
        DataType::Int8 => Json::Int(array.as_primitive::<types::Int8Type>().value(row).into()),
        DataType::Int16 => Json::Int(array.as_primitive::<types::Int16Type>().value(row).into()),
        DataType::Int32 => Json::Int(array.as_primitive::<types::Int32Type>().value(row).into()),
        DataType::Int64 => Json::Int(array.as_primitive::<types::Int64Type>().value(row)),
        DataType::UInt8 => Json::Int(array.as_primitive::<types::UInt8Type>().value(row).into()),
        DataType::UInt16 => Json::Int(array.as_primitive::<types::UInt16Type>().value(row).into()),
        DataType::UInt32 => Json::Int(array.as_primitive::<types::UInt32Type>().value(row).into()),
        DataType::UInt64 => {
            let v = array.as_primitive::<types::UInt64Type>().value(row);
            i64::try_from(v).map_or_else(|_| Json::BigInt(v.to_string()), Json::Int)
        }
        DataType::Float16 => Json::Float(
            array
                .as_primitive::<types::Float16Type>()
                .value(row)
                .to_f64(),
        ),
        DataType::Float32 => {
            Json::Float(array.as_primitive::<types::Float32Type>().value(row).into())
        }
        DataType::Float64 => Json::Float(array.as_primitive::<types::Float64Type>().value(row)),
        DataType::Utf8 => Json::Str(array.as_string::<i32>().value(row).to_owned()),
        DataType::LargeUtf8 => Json::Str(array.as_string::<i64>().value(row).to_owned()),
        DataType::Utf8View => Json::Str(array.as_string_view().value(row).to_owned()),
        DataType::Binary => bytes(array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => bytes(array.as_binary::<i64>().value(row)),
        DataType::List(_) => list(array.as_list::<i32>(), row),
        DataType::LargeList(_) => list(array.as_list::<i64>(), row),
        DataType::FixedSizeList(..) => fixed_list(array.as_fixed_size_list(), row),
        DataType::Struct(_) => {
            let structs = array.as_struct();
            let map: Map = structs
                .column_names()
                .into_iter()
                .zip(structs.columns())
                .map(|(name, column)| (name.to_owned(), cell(column.as_ref(), row)))
                .collect();
            Json::Object(map)
        }
        DataType::Map(..) => {
            let entries = array.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let map: Map = (0..entries.len())
                .map(|i| (key_text(keys.as_ref(), i), cell(values.as_ref(), i)))
                .collect();
            Json::Object(map)
        }
        DataType::Dictionary(..) => {
            let values = arrow_cast::cast(&array.slice(row, 1), &value_type(array.data_type()));
            match values {
                Ok(values) => cell(values.as_ref(), 0),
                Err(_) => display(array, row),
            }
        }
        _ => display(array, row),
    }
}

/// Row `row` of every column of a record batch, as one object keyed by column name.
pub fn row_object(names: &[String], columns: &[ArrayRef], row: usize) -> Map {
    names
        .iter()
        .zip(columns)
        .map(|(name, column)| (name.clone(), cell(column.as_ref(), row)))
        .collect()
}

/// The range of the child array that row `row` of a list array covers; indexing the child
/// directly avoids building a sliced array per cell.
fn list_range<O: OffsetSizeTrait>(
    lists: &GenericListArray<O>,
    row: usize,
) -> std::ops::Range<usize> {
    let offsets = lists.value_offsets();
    offsets[row].as_usize()..offsets[row + 1].as_usize()
}

fn list<O: OffsetSizeTrait>(lists: &GenericListArray<O>, row: usize) -> Json {
    let values = lists.values();
    Json::Array(
        list_range(lists, row)
            .map(|i| cell(values.as_ref(), i))
            .collect(),
    )
}

fn fixed_list(lists: &FixedSizeListArray, row: usize) -> Json {
    let size = lists.value_length() as usize;
    let values = lists.values();
    Json::Array(
        (row * size..(row + 1) * size)
            .map(|i| cell(values.as_ref(), i))
            .collect(),
    )
}

/// Appends the value at `row` of `array` as strict JSON (non-finite floats as `null`), straight
/// from the Arrow buffers: the streaming path of `samples --format jsonl` builds no tree.
pub fn write_cell(out: &mut String, array: &dyn Array, row: usize) {
    use crate::model::pyjson::{NonFinite, write_float, write_string};
    use std::fmt::Write as _;
    if array.is_null(row) {
        out.push_str("null");
        return;
    }
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean => out.push_str(if array.as_boolean().value(row) {
            "true"
        } else {
            "false"
        }),
        DataType::Int64 => {
            let _ = write!(
                out,
                "{}",
                array.as_primitive::<types::Int64Type>().value(row)
            );
        }
        DataType::Int32 => {
            let _ = write!(
                out,
                "{}",
                array.as_primitive::<types::Int32Type>().value(row)
            );
        }
        DataType::Float64 => write_float(
            out,
            array.as_primitive::<types::Float64Type>().value(row),
            NonFinite::Null,
        ),
        DataType::Utf8 => write_string(out, array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => write_string(out, array.as_string::<i64>().value(row)),
        DataType::List(_) => {
            let lists = array.as_list::<i32>();
            write_items(out, lists.values().as_ref(), list_range(lists, row));
        }
        DataType::LargeList(_) => {
            let lists = array.as_list::<i64>();
            write_items(out, lists.values().as_ref(), list_range(lists, row));
        }
        DataType::Struct(_) => {
            let structs = array.as_struct();
            out.push('{');
            for (i, (name, column)) in structs
                .column_names()
                .into_iter()
                .zip(structs.columns())
                .enumerate()
            {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                write_cell(out, column.as_ref(), row);
            }
            out.push('}');
        }
        // Everything rarer goes through the tree.
        _ => crate::model::pyjson::write_value(
            out,
            &cell(array, row),
            crate::model::pyjson::WriteOptions::STRICT_COMPACT,
            0,
        ),
    }
}

fn write_items(out: &mut String, values: &dyn Array, range: std::ops::Range<usize>) {
    out.push('[');
    for (n, i) in range.enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_cell(out, values, i);
    }
    out.push(']');
}

fn bytes(raw: &[u8]) -> Json {
    Json::Str(String::from_utf8_lossy(raw).into_owned())
}

fn key_text(keys: &dyn Array, i: usize) -> String {
    match cell(keys, i) {
        Json::Str(s) => s,
        other => crate::model::pyjson::to_string(
            &other,
            crate::model::pyjson::WriteOptions::STRICT_COMPACT,
        ),
    }
}

fn value_type(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Dictionary(_, value) => value.as_ref().clone(),
        other => other.clone(),
    }
}

fn display(array: &dyn Array, row: usize) -> Json {
    let options = arrow_cast::display::FormatOptions::default();
    match arrow_cast::display::ArrayFormatter::try_new(array, &options) {
        Ok(formatter) => Json::Str(formatter.value(row).to_string()),
        Err(_) => Json::Null,
    }
}
