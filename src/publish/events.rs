//! TensorBoard event files, written directly: TFRecord framing (length, masked CRC-32C, data,
//! masked CRC-32C) around `Event` protobufs. Only the handful of protobuf fields TensorBoard reads
//! for scalars and text are encoded, by hand, so no protobuf or TensorFlow crate is needed.

/// An event file being built in memory; [`EventFile::finish`] returns its bytes, which the caller
/// writes atomically, so a reader never sees half a record.
pub struct EventFile {
    bytes: Vec<u8>,
}

impl EventFile {
    /// A file that starts, as every TensorBoard writer's does, with the `brain.Event:2` version
    /// record.
    pub fn new(wall_time: f64) -> EventFile {
        let mut file = EventFile { bytes: Vec::new() };
        let mut event = Proto::default();
        event.double(1, wall_time);
        event.string(3, "brain.Event:2");
        file.record(&event.0);
        file
    }

    pub fn add_scalar(&mut self, tag: &str, value: f64, step: i64, wall_time: f64) {
        let mut value_proto = Proto::default();
        value_proto.string(1, tag);
        // TensorBoard's simple_value is a 32-bit float.
        value_proto.float(2, value as f32);
        self.add_summary_value(&value_proto, step, wall_time);
    }

    /// A text summary as TensorBoard's text plugin (and tensorboardX's `add_text`) writes it: a
    /// one-element string tensor under `{tag}/text_summary`.
    pub fn add_text(&mut self, tag: &str, text: &str, step: i64, wall_time: f64) {
        let mut plugin = Proto::default();
        plugin.string(1, "text");
        let mut metadata = Proto::default();
        metadata.message(1, &plugin);
        let mut dim = Proto::default();
        dim.varint(1, 1);
        let mut shape = Proto::default();
        shape.message(2, &dim);
        let mut tensor = Proto::default();
        tensor.varint(1, DT_STRING);
        tensor.message(2, &shape);
        tensor.bytes(8, text.as_bytes());
        let mut value_proto = Proto::default();
        value_proto.string(1, &format!("{tag}/text_summary"));
        value_proto.message(9, &metadata);
        value_proto.message(8, &tensor);
        self.add_summary_value(&value_proto, step, wall_time);
    }

    fn add_summary_value(&mut self, value: &Proto, step: i64, wall_time: f64) {
        let mut summary = Proto::default();
        summary.message(1, value);
        let mut event = Proto::default();
        event.double(1, wall_time);
        event.varint(2, step as u64);
        event.message(5, &summary);
        self.record(&event.0);
    }

    fn record(&mut self, data: &[u8]) {
        let length = (data.len() as u64).to_le_bytes();
        self.bytes.extend_from_slice(&length);
        self.bytes
            .extend_from_slice(&masked_crc32c(&length).to_le_bytes());
        self.bytes.extend_from_slice(data);
        self.bytes
            .extend_from_slice(&masked_crc32c(data).to_le_bytes());
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// `tensorflow.DataType.DT_STRING`.
const DT_STRING: u64 = 7;

/// A protobuf message under construction.
#[derive(Default)]
struct Proto(Vec<u8>);

impl Proto {
    fn key(&mut self, field: u32, wire_type: u8) {
        self.raw_varint(u64::from(field) << 3 | u64::from(wire_type));
    }

    fn raw_varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn varint(&mut self, field: u32, value: u64) {
        self.key(field, 0);
        self.raw_varint(value);
    }

    fn double(&mut self, field: u32, value: f64) {
        self.key(field, 1);
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn float(&mut self, field: u32, value: f32) {
        self.key(field, 5);
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn bytes(&mut self, field: u32, value: &[u8]) {
        self.key(field, 2);
        self.raw_varint(value.len() as u64);
        self.0.extend_from_slice(value);
    }

    fn string(&mut self, field: u32, value: &str) {
        self.bytes(field, value.as_bytes());
    }

    fn message(&mut self, field: u32, value: &Proto) {
        self.bytes(field, &value.0);
    }
}

/// TFRecord's checksum: CRC-32C, rotated and offset so that a CRC of data containing CRCs stays
/// well distributed.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let crc = crc32c(data);
    (crc.rotate_right(15)).wrapping_add(0xa282_ead8)
}

/// CRC-32C (Castagnoli), bytewise with a table built at compile time.
pub fn crc32c(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut crc = i as u32;
            let mut bit = 0;
            while bit < 8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0x82f6_3b78
                } else {
                    crc >> 1
                };
                bit += 1;
            }
            table[i] = crc;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for &byte in data {
        crc = TABLE[((crc ^ u32::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_values() {
        // RFC 3720, B.4, and the CRC catalogue's check value for "123456789".
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c(&[0u8; 32]), 0x8a91_36aa);
        assert_eq!(crc32c(&[0xffu8; 32]), 0x62a8_ab43);
    }

    #[test]
    fn records_are_framed_with_length_and_checksums() {
        let bytes = EventFile::new(1.5).finish();
        let length = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(bytes.len(), 8 + 4 + length + 4);
        assert_eq!(
            u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
            masked_crc32c(&bytes[..8])
        );
        let data = &bytes[12..12 + length];
        assert_eq!(
            u32::from_le_bytes(bytes[12 + length..].try_into().unwrap()),
            masked_crc32c(data)
        );
        // wall_time (field 1, double) then file_version (field 3, string).
        assert_eq!(data[0], 0x09);
        assert_eq!(f64::from_le_bytes(data[1..9].try_into().unwrap()), 1.5);
        assert_eq!(&data[11..], b"brain.Event:2");
    }
}
