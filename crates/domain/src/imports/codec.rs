//! Streaming text codecs: a `Read` that turns any supported encoding into UTF-8
//! incrementally, and a `Write` that turns UTF-8 into the seller's encoding.
//! Both use fixed-size buffers, so memory does not grow with the file.

use super::sniff::SourceEncoding;
use encoding_rs::{CoderResult, Decoder, EncoderResult};
use std::io::{self, Read, Write};

const RAW_BUF: usize = 64 * 1024;
/// A record longer than this is refused: it almost always means an unclosed quote
/// swallowing the rest of the file, which must not swallow the server's memory too.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// Decodes `inner` to UTF-8 as it is read. The BOM of the chosen encoding is
/// dropped; malformed bytes become U+FFFD (reported per row as `bad_encoding`).
///
/// UTF-8 input is passed through undecoded: the CSV reader validates each record
/// anyway, and repairs the rare invalid one itself, so validating twice would be
/// waste. Other encodings are decoded straight into the caller's buffer.
pub(crate) struct DecodingReader<R> {
    inner: R,
    /// `None` for UTF-8 pass-through.
    decoder: Option<Decoder>,
    /// A UTF-8 BOM may still have to be dropped from the start.
    bom_pending: bool,
    raw: Box<[u8]>,
    raw_start: usize,
    raw_end: usize,
    /// Decoded (or BOM-stripped) bytes waiting for a caller with a small buffer.
    staged: Vec<u8>,
    staged_start: usize,
    eof: bool,
    finished: bool,
    replaced: bool,
    raw_bytes: u64,
    delivered: u64,
    /// Decoded offset where the record being parsed started (set by the reader).
    pub(crate) record_start: u64,
}

fn read_retrying<R: Read>(inner: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match inner.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

impl<R: Read> DecodingReader<R> {
    pub(crate) fn new(inner: R, encoding: SourceEncoding) -> Self {
        let utf8 = encoding == SourceEncoding::Utf8;
        Self {
            inner,
            decoder: (!utf8).then(|| encoding.encoding().new_decoder_with_bom_removal()),
            bom_pending: utf8,
            raw: vec![0; RAW_BUF].into_boxed_slice(),
            raw_start: 0,
            raw_end: 0,
            staged: Vec::new(),
            staged_start: 0,
            eof: false,
            finished: false,
            replaced: false,
            raw_bytes: 0,
            delivered: 0,
            record_start: 0,
        }
    }

    /// Bytes read from the source so far (for progress reporting).
    pub(crate) fn raw_bytes(&self) -> u64 {
        self.raw_bytes
    }

    /// Whether the decoder has replaced any malformed input so far.
    pub(crate) fn replaced_any(&self) -> bool {
        self.replaced
    }

    fn refill_raw(&mut self) -> io::Result<()> {
        let n = read_retrying(&mut self.inner, &mut self.raw)?;
        self.raw_start = 0;
        self.raw_end = n;
        self.raw_bytes += n as u64;
        self.eof = n == 0;
        Ok(())
    }

    /// Reads the first bytes of a UTF-8 source and stages them without the BOM.
    fn strip_utf8_bom(&mut self) -> io::Result<()> {
        self.bom_pending = false;
        let mut have = 0;
        while have < 3 {
            let n = read_retrying(&mut self.inner, &mut self.raw[have..])?;
            if n == 0 {
                break;
            }
            have += n;
        }
        self.raw_bytes += have as u64;
        let body = self.raw[..have]
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.raw[..have]);
        self.staged.clear();
        self.staged.extend_from_slice(body);
        self.staged_start = 0;
        Ok(())
    }

    /// Decodes into `out`; returns 0 only at the end of the input.
    fn decode_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.finished {
                return Ok(0);
            }
            if self.raw_start == self.raw_end && !self.eof {
                self.refill_raw()?;
            }
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let (result, read, written, replaced) =
                decoder.decode_to_utf8(&self.raw[self.raw_start..self.raw_end], out, self.eof);
            self.raw_start += read;
            self.replaced |= replaced;
            if self.eof && result == CoderResult::InputEmpty {
                self.finished = true;
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }

    fn read_unlimited(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.bom_pending {
            self.strip_utf8_bom()?;
        }
        if self.staged_start < self.staged.len() {
            let n = out.len().min(self.staged.len() - self.staged_start);
            out[..n].copy_from_slice(&self.staged[self.staged_start..self.staged_start + n]);
            self.staged_start += n;
            return Ok(n);
        }
        if self.decoder.is_none() {
            let n = read_retrying(&mut self.inner, out)?;
            self.raw_bytes += n as u64;
            return Ok(n);
        }
        // The decoder needs room for a whole character; stage when the caller has little.
        if out.len() >= 64 {
            return self.decode_into(out);
        }
        let mut staged = std::mem::take(&mut self.staged);
        staged.resize(4096, 0);
        let n = self.decode_into(&mut staged)?;
        staged.truncate(n);
        self.staged = staged;
        self.staged_start = 0;
        let k = out.len().min(n);
        out[..k].copy_from_slice(&self.staged[..k]);
        self.staged_start = k;
        Ok(k)
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.delivered.saturating_sub(self.record_start) > MAX_RECORD_BYTES {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RecordTooLong));
        }
        let n = self.read_unlimited(out)?;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// The error a [`DecodingReader`] raises for an overlong record.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("a row is longer than 1 MB")]
pub(crate) struct RecordTooLong;

/// Encodes UTF-8 written to it into the target encoding. Characters the target
/// cannot represent (emoji in Windows-1251) become `?` rather than failing.
pub(crate) struct EncodingWriter<W: Write> {
    inner: W,
    target: SourceEncoding,
    encoder: Option<encoding_rs::Encoder>,
    /// Bytes of a UTF-8 character split across two `write` calls.
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> EncodingWriter<W> {
    /// Writes the BOM for UTF-8 and UTF-16 targets when `bom` is set.
    pub(crate) fn new(mut inner: W, target: SourceEncoding, bom: bool) -> io::Result<Self> {
        if bom {
            match target {
                SourceEncoding::Utf8 => inner.write_all(b"\xEF\xBB\xBF")?,
                SourceEncoding::Utf16Le => inner.write_all(b"\xFF\xFE")?,
                SourceEncoding::Utf16Be => inner.write_all(b"\xFE\xFF")?,
                SourceEncoding::Windows1251 => {}
            }
        }
        let encoder = match target {
            SourceEncoding::Windows1251 => Some(encoding_rs::WINDOWS_1251.new_encoder()),
            _ => None,
        };
        Ok(Self {
            inner,
            target,
            encoder,
            pending: Vec::new(),
            out: Vec::with_capacity(16 * 1024),
        })
    }

    pub(crate) fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        if !self.pending.is_empty() {
            // A dangling partial character cannot come from valid UTF-8 input.
            self.pending.clear();
            self.inner.write_all(b"?")?;
        }
        Ok(self.inner)
    }

    fn encode_str(&mut self, s: &str) -> io::Result<()> {
        match self.target {
            SourceEncoding::Utf8 => self.inner.write_all(s.as_bytes()),
            SourceEncoding::Utf16Le | SourceEncoding::Utf16Be => {
                self.out.clear();
                let le = self.target == SourceEncoding::Utf16Le;
                for unit in s.encode_utf16() {
                    self.out.extend_from_slice(&if le {
                        unit.to_le_bytes()
                    } else {
                        unit.to_be_bytes()
                    });
                }
                self.inner.write_all(&self.out)
            }
            SourceEncoding::Windows1251 => {
                let Some(encoder) = self.encoder.as_mut() else {
                    return self.inner.write_all(s.as_bytes());
                };
                let mut rest = s;
                loop {
                    self.out.clear();
                    self.out.resize(rest.len().max(16) + 16, 0);
                    let (result, read, written) =
                        encoder.encode_from_utf8_without_replacement(rest, &mut self.out, false);
                    self.inner.write_all(&self.out[..written])?;
                    rest = &rest[read..];
                    match result {
                        EncoderResult::InputEmpty => return Ok(()),
                        EncoderResult::OutputFull => {}
                        EncoderResult::Unmappable(_) => self.inner.write_all(b"?")?,
                    }
                }
            }
        }
    }
}

impl<W: Write> Write for EncodingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut joined = std::mem::take(&mut self.pending);
        let mut rest: &[u8] = if joined.is_empty() {
            buf
        } else {
            joined.extend_from_slice(buf);
            &joined
        };
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.encode_str(s)?;
                    break;
                }
                Err(e) => {
                    let (head, tail) = rest.split_at(e.valid_up_to());
                    self.encode_str(std::str::from_utf8(head).unwrap_or_default())?;
                    match e.error_len() {
                        // A character split across writes: keep its start for the next call.
                        None => {
                            self.pending = tail.to_vec();
                            break;
                        }
                        // Invalid UTF-8 cannot come from our csv writer; never fail on it.
                        Some(n) => {
                            self.inner.write_all(b"?")?;
                            rest = &tail[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], enc: SourceEncoding, chunk: usize) -> String {
        struct Chunky<'a>(&'a [u8], usize);
        impl Read for Chunky<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = String::new();
        DecodingReader::new(Chunky(bytes, chunk), enc)
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn utf8_passes_through_without_its_bom_even_in_tiny_chunks() {
        let text = "Артикул;Цена\n";
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        for chunk in [1, 2, 3, 4, 100] {
            assert_eq!(
                decode_all(&bom, SourceEncoding::Utf8, chunk),
                text,
                "chunk {chunk}"
            );
        }
        assert_eq!(decode_all(b"ab", SourceEncoding::Utf8, 1), "ab");
        assert_eq!(decode_all(b"", SourceEncoding::Utf8, 1), "");
    }

    #[test]
    fn decodes_across_tiny_chunks_without_losing_split_characters() {
        let text = "Артикул;Цена\nЁж;1 299,90 ₽\n";
        assert_eq!(decode_all(text.as_bytes(), SourceEncoding::Utf8, 1), text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode_all(&bom, SourceEncoding::Utf8, 3), text);
        let cp = encoding_rs::WINDOWS_1251
            .encode("Артикул;Ёж")
            .0
            .into_owned();
        assert_eq!(
            decode_all(&cp, SourceEncoding::Windows1251, 2),
            "Артикул;Ёж"
        );
        let mut le = vec![0xFF, 0xFE];
        for u in "Ёж\t1".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_all(&le, SourceEncoding::Utf16Le, 1), "Ёж\t1");
    }

    #[test]
    fn encodes_to_1251_replacing_what_it_cannot_hold() {
        let mut w = EncodingWriter::new(Vec::new(), SourceEncoding::Windows1251, true).unwrap();
        let text = "Цена 100 ₽ 😀 ok";
        // Split inside multi-byte characters on purpose.
        for chunk in text.as_bytes().chunks(3) {
            w.write_all(chunk).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let back = encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(&bytes)
            .0;
        assert_eq!(back, "Цена 100 ? ? ok");
    }

    #[test]
    fn utf8_and_utf16_targets_get_a_bom() {
        let mut w = EncodingWriter::new(Vec::new(), SourceEncoding::Utf8, true).unwrap();
        w.write_all("Ё".as_bytes()).unwrap();
        assert_eq!(w.into_inner().unwrap(), b"\xEF\xBB\xBF\xD0\x81");
        let mut w = EncodingWriter::new(Vec::new(), SourceEncoding::Utf16Le, true).unwrap();
        w.write_all(b"A").unwrap();
        assert_eq!(w.into_inner().unwrap(), b"\xFF\xFEA\x00");
    }
}
