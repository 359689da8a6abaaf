//! Walks a file's container structure, without decoding pixels, to find where the image
//! ends: a file that stops before its end marker is truncated, and bytes after it are
//! trailing data.
//!
//! This exists because the decoders are lenient: `image` runs zune-jpeg in non-strict
//! mode, which fills a cut-off scan with grey and reports success. A half-grey product
//! photo must not reach the catalogue, so truncation is decided here, structurally.

use crate::format::Format;

/// Where the image data ends inside the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Extent {
    /// Length of the image proper: up to and including JPEG's EOI, PNG's IEND chunk or
    /// the RIFF container.
    pub image_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StructureError {
    /// The file ends before the image does.
    Truncated,
    /// The container is malformed in a way no decoder would accept.
    Malformed(&'static str),
}

pub(crate) fn extent(format: Format, bytes: &[u8]) -> Result<Extent, StructureError> {
    match format {
        Format::Jpeg => jpeg_extent(bytes),
        Format::Png => png_extent(bytes),
        Format::WebP => webp_extent(bytes),
    }
}

/// Follows JPEG markers from SOI to EOI. Segments with a length are skipped by it;
/// entropy-coded data after SOS is scanned for the next marker (0xFF not followed by a
/// stuffed 0x00 or a restart marker).
fn jpeg_extent(bytes: &[u8]) -> Result<Extent, StructureError> {
    const SOI: u8 = 0xD8;
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    if bytes.get(..2) != Some(&[0xFF, SOI]) {
        return Err(StructureError::Malformed("no start-of-image marker"));
    }
    let mut pos = 2;
    let mut seen_frame = false;
    let mut seen_scan = false;
    loop {
        // A marker is 0xFF, optional 0xFF fill bytes, then the marker code.
        if bytes.get(pos) != Some(&0xFF) {
            return match bytes.get(pos) {
                None => Err(StructureError::Truncated),
                Some(_) => Err(StructureError::Malformed("expected a marker")),
            };
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(StructureError::Truncated);
        };
        pos += 1;
        match marker {
            EOI => {
                if !seen_frame || !seen_scan {
                    return Err(StructureError::Malformed(
                        "no image data before end-of-image",
                    ));
                }
                return Ok(Extent { image_len: pos });
            }
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => {}
            0x00 | SOI => return Err(StructureError::Malformed("unexpected marker")),
            _ => {
                let length = read_u16_be(bytes, pos).ok_or(StructureError::Truncated)? as usize;
                if length < 2 {
                    return Err(StructureError::Malformed("segment length below 2"));
                }
                let end = pos + length;
                if end > bytes.len() {
                    return Err(StructureError::Truncated);
                }
                // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
                if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                    seen_frame = true;
                }
                pos = end;
                if marker == SOS {
                    seen_scan = true;
                    pos = skip_entropy_coded_data(bytes, pos)?;
                }
            }
        }
    }
}

/// Returns the offset of the 0xFF that starts the marker ending the scan.
fn skip_entropy_coded_data(bytes: &[u8], mut pos: usize) -> Result<usize, StructureError> {
    loop {
        let rest = bytes.get(pos..).ok_or(StructureError::Truncated)?;
        pos += find_ff(rest).ok_or(StructureError::Truncated)?;
        // Skip fill bytes to see what follows the run of 0xFF.
        let mut next = pos + 1;
        while bytes.get(next) == Some(&0xFF) {
            next += 1;
        }
        match bytes.get(next) {
            None => return Err(StructureError::Truncated),
            // Byte stuffing and restart markers belong to the scan.
            Some(0x00) | Some(0xD0..=0xD7) => pos = next + 1,
            Some(_) => return Ok(pos),
        }
    }
}

/// Finds the first 0xFF, eight bytes at a time: scan data is most of a JPEG, and 0xFF
/// bytes in it are rare (each is followed by a stuffed 0x00).
fn find_ff(bytes: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Inverted, a 0xFF byte becomes 0x00, which the classic zero-byte test finds.
        let inverted = !u64::from_le_bytes(word);
        if (inverted.wrapping_sub(LOW) & !inverted & HIGH) != 0 {
            return chunk.iter().position(|&b| b == 0xFF).map(|i| offset + i);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == 0xFF)
        .map(|i| offset + i)
}

/// Follows PNG chunks from the signature to IEND. CRCs are left to the decoder.
fn png_extent(bytes: &[u8]) -> Result<Extent, StructureError> {
    let mut pos = 8;
    let mut first = true;
    loop {
        let length = read_u32_be(bytes, pos).ok_or(StructureError::Truncated)? as usize;
        let kind = bytes
            .get(pos + 4..pos + 8)
            .ok_or(StructureError::Truncated)?;
        if first && kind != b"IHDR" {
            return Err(StructureError::Malformed("the first chunk is not IHDR"));
        }
        first = false;
        // Chunk lengths are limited to 2^31 - 1 by the specification.
        if length > i32::MAX as usize {
            return Err(StructureError::Malformed("chunk length out of range"));
        }
        let end = pos + 12 + length;
        if end > bytes.len() {
            return Err(StructureError::Truncated);
        }
        if kind == b"IEND" {
            return Ok(Extent { image_len: end });
        }
        pos = end;
    }
}

/// The RIFF header states the container's size; the file must hold all of it.
fn webp_extent(bytes: &[u8]) -> Result<Extent, StructureError> {
    let riff_size = read_u32_le(bytes, 4).ok_or(StructureError::Truncated)? as usize;
    if riff_size < 4 {
        return Err(StructureError::Malformed("RIFF size too small"));
    }
    // RIFF chunks are padded to an even size.
    let end = 8 + riff_size + (riff_size & 1);
    if 8 + riff_size > bytes.len() {
        return Err(StructureError::Truncated);
    }
    Ok(Extent {
        image_len: end.min(bytes.len()),
    })
}

fn read_u16_be(bytes: &[u8], pos: usize) -> Option<u16> {
    let b = bytes.get(pos..pos + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn read_u32_be(bytes: &[u8], pos: usize) -> Option<u32> {
    let b = bytes.get(pos..pos + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn read_u32_le(bytes: &[u8], pos: usize) -> Option<u32> {
    let b = bytes.get(pos..pos + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal_jpeg_skeleton(scan: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        // APP0 with a 4-byte body, SOF0 with a dummy body, SOS with a dummy body.
        bytes.extend([0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F']);
        bytes.extend([0xFF, 0xC0, 0x00, 0x04, 0x08, 0x00]);
        bytes.extend([0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00]);
        bytes.extend(scan);
        bytes
    }

    #[test]
    fn jpeg_scan_data_with_stuffing_and_restarts_reaches_the_end_marker() {
        let mut bytes = minimal_jpeg_skeleton(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
        bytes.extend([0xFF, 0xD9]);
        let image_len = bytes.len();
        bytes.extend(b"PK\x03\x04 trailing");
        assert_eq!(jpeg_extent(&bytes), Ok(Extent { image_len }));
    }

    #[test]
    fn the_word_at_a_time_search_finds_every_first_ff() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![0x7Fu8; len];
                if at < len {
                    bytes[at] = 0xFF;
                }
                let expected = (at < len).then_some(at);
                assert_eq!(find_ff(&bytes), expected, "len {len}, at {at}");
            }
        }
        assert_eq!(find_ff(&[0xFE, 0x80, 0x01, 0xFF, 0xFF]), Some(3));
    }

    #[test]
    fn jpeg_without_end_marker_is_truncated() {
        let bytes = minimal_jpeg_skeleton(&[0x12, 0xFF, 0x00, 0x34]);
        assert_eq!(jpeg_extent(&bytes), Err(StructureError::Truncated));
        assert_eq!(jpeg_extent(&bytes[..9]), Err(StructureError::Truncated));
    }

    #[test]
    fn webp_shorter_than_its_riff_size_is_truncated() {
        let mut bytes = b"RIFF".to_vec();
        bytes.extend(20u32.to_le_bytes());
        bytes.extend(b"WEBPVP8L");
        assert_eq!(webp_extent(&bytes), Err(StructureError::Truncated));
        bytes.resize(28, 0);
        assert_eq!(webp_extent(&bytes), Ok(Extent { image_len: 28 }));
    }
}
