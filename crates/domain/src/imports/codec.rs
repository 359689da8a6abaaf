//! Streaming text codecs: a `Read` that turns any supported encoding into UTF-8
//! incrementally, and a `Write` that turns UTF-8 into the seller's encoding.
//! Both use fixed-size buffers, so memory does not grow with the file.

use super::sniff::SourceEncoding;
use encoding_rs::{CoderResult, Decoder, EncoderResult};
use std::io::{self, Read, Write};

const RAW_BUF: usize = 64 * 1024;
const DECODED_BUF: usize = 128 * 1024;
/// A record longer than this is refused: it almost always means an unclosed quote
/// swallowing the rest of the file, which must not swallow the server's memory too.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// Decodes `inner` to UTF-8 as it is read. The BOM of the chosen encoding is
/// dropped; malformed bytes become U+FFFD (reported per row as `bad_encoding`).
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    raw: Box<[u8]>,
    raw_start: usize,
    raw_end: usize,
    decoded: Box<[u8]>,
    dec_start: usize,
    dec_end: usize,
    eof: bool,
    finished: bool,
    raw_bytes: u64,
    delivered: u64,
    /// Decoded offset where the record being parsed started (set by the reader).
    pub(crate) record_start: u64,
}

impl<R: Read> DecodingReader<R> {
    pub(crate) fn new(inner: R, encoding: SourceEncoding) -> Self {
        Self {
            inner,
            decoder: encoding.encoding().new_decoder_with_bom_removal(),
            raw: vec![0; RAW_BUF].into_boxed_slice(),
            raw_start: 0,
            raw_end: 0,
            decoded: vec![0; DECODED_BUF].into_boxed_slice(),
            dec_start: 0,
            dec_end: 0,
            eof: false,
            finished: false,
            raw_bytes: 0,
            delivered: 0,
            record_start: 0,
        }
    }

    /// Bytes read from the source so far (for progress reporting).
    pub(crate) fn raw_bytes(&self) -> u64 {
        self.raw_bytes
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.dec_start == self.dec_end && !self.finished {
            if self.raw_start == self.raw_end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.raw) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                };
                self.raw_start = 0;
                self.raw_end = n;
                self.raw_bytes += n as u64;
                self.eof = n == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.decoded,
                self.eof,
            );
            self.raw_start += read;
            self.dec_start = 0;
            self.dec_end = written;
            if self.eof && result == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.delivered.saturating_sub(self.record_start) > MAX_RECORD_BYTES {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RecordTooLong));
        }
        self.fill()?;
        let n = out.len().min(self.dec_end - self.dec_start);
        out[..n].copy_from_slice(&self.decoded[self.dec_start..self.dec_start + n]);
        self.dec_start += n;
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
                    self.out
                        .extend_from_slice(&if le { unit.to_le_bytes() } else { unit.to_be_bytes() });
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
        DecodingReader::new(Chunky(bytes, chunk), enc).read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn decodes_across_tiny_chunks_without_losing_split_characters() {
        let text = "Артикул;Цена\nЁж;1 299,90 ₽\n";
        assert_eq!(decode_all(text.as_bytes(), SourceEncoding::Utf8, 1), text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode_all(&bom, SourceEncoding::Utf8, 3), text);
        let cp = encoding_rs::WINDOWS_1251.encode("Артикул;Ёж").0.into_owned();
        assert_eq!(decode_all(&cp, SourceEncoding::Windows1251, 2), "Артикул;Ёж");
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
        let back = encoding_rs::WINDOWS_1251.decode_without_bom_handling(&bytes).0;
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
