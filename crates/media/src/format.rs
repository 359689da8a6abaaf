//! What a file really is (from its first bytes) and what it claims to be.
//!
//! The bytes decide. A declared type (the upload's file extension or content type, or
//! the `Content-Type` of a fetched URL) is only compared with them:
//!
//! - nothing declared, or `application/octet-stream`, or an unknown extension: fine;
//! - a declared *image* type that differs from the bytes (`photo.jpg` holding a PNG,
//!   `Content-Type: image/gif` on a WebP): refused as [`MediaError::Mislabelled`].
//!   Decoding would work, but a mismatch is the usual sign of a renamed, half-converted
//!   or crafted file, and the seller gets a message that says exactly how to fix it;
//! - a declared non-image content type (`text/html`, `application/pdf`): refused as
//!   [`MediaError::UnsupportedContentType`].
//!
//! For URL fetches pass only the response's `Content-Type`, not the URL's extension:
//! CDNs routinely serve WebP from `.jpg` paths with a correct `Content-Type`.

use std::fmt;

use domain::Locale;
use serde::{Deserialize, Serialize};

use crate::error::MediaError;

/// An accepted image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

impl Format {
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
        }
    }

    /// The usual file extension, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::WebP => "WebP",
        }
    }

    pub(crate) const fn to_image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::WebP => image::ImageFormat::WebP,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A recognised kind of file that is not an accepted image, named in refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherKind {
    Gif,
    Bmp,
    Tiff,
    Icon,
    Heif,
    Avif,
    JpegXl,
    Photoshop,
    Svg,
    Html,
    Xml,
    Pdf,
    Zip,
    Rar,
    SevenZip,
    Gzip,
    Executable,
    Text,
    Unknown,
}

impl OtherKind {
    /// A short name for messages ("a GIF image", "an HTML page").
    pub fn name(self, locale: Locale) -> &'static str {
        match self {
            OtherKind::Gif => locale.pick("изображение GIF", "a GIF image"),
            OtherKind::Bmp => locale.pick("изображение BMP", "a BMP image"),
            OtherKind::Tiff => locale.pick("изображение TIFF", "a TIFF image"),
            OtherKind::Icon => locale.pick("значок ICO", "an ICO icon"),
            OtherKind::Heif => locale.pick("изображение HEIC/HEIF", "a HEIC/HEIF image"),
            OtherKind::Avif => locale.pick("изображение AVIF", "an AVIF image"),
            OtherKind::JpegXl => locale.pick("изображение JPEG XL", "a JPEG XL image"),
            OtherKind::Photoshop => locale.pick("файл Photoshop", "a Photoshop file"),
            OtherKind::Svg => locale.pick("векторное изображение SVG", "an SVG vector image"),
            OtherKind::Html => locale.pick("веб-страница HTML", "an HTML page"),
            OtherKind::Xml => locale.pick("документ XML", "an XML document"),
            OtherKind::Pdf => locale.pick("документ PDF", "a PDF document"),
            OtherKind::Zip => locale.pick("архив ZIP", "a ZIP archive"),
            OtherKind::Rar => locale.pick("архив RAR", "a RAR archive"),
            OtherKind::SevenZip => locale.pick("архив 7z", "a 7z archive"),
            OtherKind::Gzip => locale.pick("архив gzip", "a gzip archive"),
            OtherKind::Executable => locale.pick("программа", "a program"),
            OtherKind::Text => locale.pick("текстовый файл", "a text file"),
            OtherKind::Unknown => locale.pick("файл неизвестного типа", "a file of unknown type"),
        }
    }
}

impl fmt::Display for OtherKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(Locale::En))
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Image(Format),
    Other(OtherKind),
    Empty,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Identifies a file by its magic bytes at offset 0; never by name.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Empty;
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Image(Format::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return Sniffed::Image(Format::Png);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Sniffed::Image(Format::WebP);
    }
    Sniffed::Other(sniff_other(bytes))
}

fn sniff_other(bytes: &[u8]) -> OtherKind {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return OtherKind::Gif;
    }
    if starts(b"BM") {
        return OtherKind::Bmp;
    }
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        return OtherKind::Tiff;
    }
    if starts(&[0, 0, 1, 0]) || starts(&[0, 0, 2, 0]) {
        return OtherKind::Icon;
    }
    if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return OtherKind::JpegXl;
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return match bytes.get(8..12) {
            Some(b"avif") | Some(b"avis") => OtherKind::Avif,
            _ => OtherKind::Heif,
        };
    }
    if starts(b"8BPS") {
        return OtherKind::Photoshop;
    }
    if starts(b"%PDF-") {
        return OtherKind::Pdf;
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
        return OtherKind::Zip;
    }
    if starts(b"Rar!\x1a\x07") {
        return OtherKind::Rar;
    }
    if starts(b"7z\xbc\xaf\x27\x1c") {
        return OtherKind::SevenZip;
    }
    if starts(&[0x1F, 0x8B]) {
        return OtherKind::Gzip;
    }
    if starts(b"\x7fELF") || starts(b"MZ") || starts(&[0xCF, 0xFA, 0xED, 0xFE]) {
        return OtherKind::Executable;
    }
    sniff_text(bytes)
}

/// Markup is recognised by its first tag after an optional BOM and whitespace.
fn sniff_text(bytes: &[u8]) -> OtherKind {
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let contains = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if lower.starts_with(b"<") {
        if contains(b"<svg") {
            return OtherKind::Svg;
        }
        if contains(b"<!doctype html")
            || contains(b"<html")
            || contains(b"<head")
            || contains(b"<body")
            || contains(b"<script")
        {
            return OtherKind::Html;
        }
        if lower.starts_with(b"<?xml") {
            return OtherKind::Xml;
        }
        return OtherKind::Html;
    }
    let printable = head
        .iter()
        .filter(|&&b| {
            b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7F).contains(&b) || b >= 0x80
        })
        .count();
    if !head.is_empty() && printable == head.len() && std::str::from_utf8(head).is_ok() {
        return OtherKind::Text;
    }
    OtherKind::Unknown
}

/// What the uploader or the remote server said the file is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Declared<'a> {
    /// The multipart part's or the HTTP response's `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// The uploaded file's name (only for uploads; see the module docs).
    pub file_name: Option<&'a str>,
}

impl<'a> Declared<'a> {
    pub const NOTHING: Declared<'static> = Declared {
        content_type: None,
        file_name: None,
    };

    pub const fn upload(file_name: Option<&'a str>, content_type: Option<&'a str>) -> Self {
        Declared {
            content_type,
            file_name,
        }
    }

    pub const fn fetched(content_type: Option<&'a str>) -> Self {
        Declared {
            content_type,
            file_name: None,
        }
    }
}

/// The label a mislabelled file carried, quoted back to the seller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Declaration {
    /// A file extension, lowercase, without the dot.
    Extension(String),
    /// A media type, lowercase, without parameters.
    ContentType(String),
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Declaration::Extension(ext) => write!(f, ".{ext}"),
            Declaration::ContentType(content_type) => f.write_str(content_type),
        }
    }
}

/// What a declared label means for the comparison with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelClass {
    /// No information: absent, `application/octet-stream`, unknown extension.
    Unspecified,
    /// One of the accepted formats.
    Accepted(Format),
    /// Some other image type (`image/gif`, `.heic`).
    OtherImage,
    /// Not an image type at all (`text/html`).
    NotImage,
}

/// Classifies a `Content-Type` value (parameters such as `; charset=` are ignored).
pub fn classify_content_type(content_type: &str) -> LabelClass {
    let essence = media_type_essence(content_type);
    match essence.as_str() {
        "" | "application/octet-stream" | "binary/octet-stream" | "application/binary" => {
            LabelClass::Unspecified
        }
        "image/jpeg" | "image/jpg" | "image/pjpeg" => LabelClass::Accepted(Format::Jpeg),
        "image/png" | "image/x-png" => LabelClass::Accepted(Format::Png),
        "image/webp" => LabelClass::Accepted(Format::WebP),
        other if other.starts_with("image/") => LabelClass::OtherImage,
        _ => LabelClass::NotImage,
    }
}

/// Classifies a file name by its extension.
pub fn classify_file_name(file_name: &str) -> LabelClass {
    match file_extension(file_name).as_deref() {
        Some("jpg" | "jpeg" | "jpe" | "jfif" | "pjpeg" | "pjp") => {
            LabelClass::Accepted(Format::Jpeg)
        }
        Some("png") => LabelClass::Accepted(Format::Png),
        Some("webp") => LabelClass::Accepted(Format::WebP),
        Some(
            "gif" | "bmp" | "dib" | "tif" | "tiff" | "svg" | "svgz" | "heic" | "heif" | "avif"
            | "ico" | "jxl" | "psd" | "apng",
        ) => LabelClass::OtherImage,
        // Unknown or missing extensions ("IMG_0001", "photo.dat") say nothing.
        _ => LabelClass::Unspecified,
    }
}

fn media_type_essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn file_extension(file_name: &str) -> Option<String> {
    // Browsers send bare names, but some clients send paths (also Windows ones).
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let (stem, ext) = base.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.trim().to_ascii_lowercase())
}

/// Refuses a response before its body is read when its `Content-Type` can never pass:
/// a non-image type. Image types and `application/octet-stream` go on to sniffing.
pub fn precheck_content_type(content_type: Option<&str>) -> Result<(), MediaError> {
    match content_type.map(classify_content_type) {
        Some(LabelClass::NotImage) => Err(MediaError::UnsupportedContentType {
            content_type: media_type_essence(content_type.unwrap_or_default()),
        }),
        _ => Ok(()),
    }
}

/// Compares the declared labels with the format the bytes have (see the module docs).
pub fn check_declared(declared: &Declared<'_>, actual: Format) -> Result<(), MediaError> {
    if let Some(content_type) = declared.content_type {
        match classify_content_type(content_type) {
            LabelClass::Unspecified => {}
            LabelClass::Accepted(format) if format == actual => {}
            LabelClass::Accepted(_) | LabelClass::OtherImage => {
                return Err(MediaError::Mislabelled {
                    declared: Declaration::ContentType(media_type_essence(content_type)),
                    actual,
                });
            }
            LabelClass::NotImage => {
                return Err(MediaError::UnsupportedContentType {
                    content_type: media_type_essence(content_type),
                });
            }
        }
    }
    if let Some(file_name) = declared.file_name {
        match classify_file_name(file_name) {
            LabelClass::Accepted(format) if format != actual => {
                return Err(mislabelled_extension(file_name, actual));
            }
            LabelClass::OtherImage => return Err(mislabelled_extension(file_name, actual)),
            _ => {}
        }
    }
    Ok(())
}

fn mislabelled_extension(file_name: &str, actual: Format) -> MediaError {
    MediaError::Mislabelled {
        declared: Declaration::Extension(file_extension(file_name).unwrap_or_default()),
        actual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_uses_magic_bytes_not_names() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Sniffed::Image(Format::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Sniffed::Image(Format::Png));
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Sniffed::Image(Format::WebP)
        );
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WAVEfmt "),
            Sniffed::Other(OtherKind::Unknown)
        );
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Sniffed::Other(OtherKind::Gif));
        assert_eq!(sniff(b"BM\x36\0\0\0"), Sniffed::Other(OtherKind::Bmp));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Sniffed::Other(OtherKind::Tiff));
        assert_eq!(sniff(b"%PDF-1.7\n"), Sniffed::Other(OtherKind::Pdf));
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), Sniffed::Other(OtherKind::Zip));
        assert_eq!(
            sniff(b"\0\0\0\x1cftypheic"),
            Sniffed::Other(OtherKind::Heif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif"),
            Sniffed::Other(OtherKind::Avif)
        );
        assert_eq!(sniff(b""), Sniffed::Empty);
    }

    #[test]
    fn markup_is_told_apart_from_plain_text() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBF  <?xml version=\"1.0\"?><svg xmlns="),
            Sniffed::Other(OtherKind::Svg)
        );
        assert_eq!(
            sniff(b"<!DOCTYPE html><html>"),
            Sniffed::Other(OtherKind::Html)
        );
        assert_eq!(sniff(b"\n<HTML><BODY>"), Sniffed::Other(OtherKind::Html));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><feed>"),
            Sniffed::Other(OtherKind::Xml)
        );
        assert_eq!(
            sniff("цена;артикул\n1;2".as_bytes()),
            Sniffed::Other(OtherKind::Text)
        );
        assert_eq!(
            sniff(&[0x00, 0x01, 0x02, 0x03]),
            Sniffed::Other(OtherKind::Unknown)
        );
    }

    #[test]
    fn content_types_are_compared_without_parameters_and_case() {
        assert_eq!(
            classify_content_type("Image/JPEG; charset=binary"),
            LabelClass::Accepted(Format::Jpeg)
        );
        assert_eq!(
            classify_content_type("image/jpg"),
            LabelClass::Accepted(Format::Jpeg)
        );
        assert_eq!(
            classify_content_type("application/octet-stream"),
            LabelClass::Unspecified
        );
        assert_eq!(classify_content_type("image/gif"), LabelClass::OtherImage);
        assert_eq!(
            classify_content_type("text/html; charset=utf-8"),
            LabelClass::NotImage
        );
    }

    #[test]
    fn a_png_named_jpg_is_mislabelled() {
        let declared = Declared::upload(Some("photo.JPG"), Some("image/jpeg"));
        let error = check_declared(&declared, Format::Png).err();
        assert_eq!(
            error,
            Some(MediaError::Mislabelled {
                declared: Declaration::ContentType("image/jpeg".into()),
                actual: Format::Png
            })
        );
        let by_name = Declared::upload(Some("C:\\Users\\me\\photo.JPG"), None);
        assert_eq!(
            check_declared(&by_name, Format::Png).err(),
            Some(MediaError::Mislabelled {
                declared: Declaration::Extension("jpg".into()),
                actual: Format::Png
            })
        );
    }

    #[test]
    fn unknown_or_missing_labels_do_not_refuse_a_real_image() {
        for declared in [
            Declared::NOTHING,
            Declared::upload(Some("IMG_0001"), Some("application/octet-stream")),
            Declared::upload(Some("photo.dat"), None),
            Declared::upload(Some(".png"), None),
            Declared::fetched(Some("image/webp")),
        ] {
            assert_eq!(
                check_declared(&declared, Format::WebP),
                Ok(()),
                "{declared:?}"
            );
        }
    }

    #[test]
    fn a_fetched_html_page_is_refused_before_its_body_is_read() {
        assert!(matches!(
            precheck_content_type(Some("text/html; charset=utf-8")),
            Err(MediaError::UnsupportedContentType { content_type }) if content_type == "text/html"
        ));
        assert_eq!(precheck_content_type(Some("image/png")), Ok(()));
        assert_eq!(
            precheck_content_type(Some("application/octet-stream")),
            Ok(())
        );
        assert_eq!(precheck_content_type(None), Ok(()));
    }
}
