//! The one error type of this crate: every way an image or an image URL is refused.
//!
//! `code()` is part of the public API (it reaches the REST API, the moderation UI and
//! logs): never rename a code, only add new ones.

use std::net::IpAddr;

use domain::{ErrorCode, FieldError, Locale};

use crate::format::{Declaration, Format, OtherKind};
use crate::policy::AspectRatio;

/// Why an image, or a URL to fetch one from, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    EmptyFile,

    #[error("the file has {size_bytes} bytes, more than the {max_bytes} allowed")]
    TooLargeFile { size_bytes: u64, max_bytes: u64 },

    #[error("{found} files are not accepted; only JPEG, PNG and WebP are")]
    UnsupportedFormat { found: OtherKind },

    #[error("the file says {declared} but is a {actual}")]
    Mislabelled {
        declared: Declaration,
        actual: Format,
    },

    #[error("content type {content_type:?} is not an accepted image type")]
    UnsupportedContentType { content_type: String },

    #[error("the {format} file is cut short (truncated)")]
    Truncated { format: Format },

    #[error("the image is {width}×{height} pixels, more than the {max_width}×{max_height} allowed")]
    DimensionsTooLarge {
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
    },

    #[error(
        "the image is {width}×{height} pixels and needs {needed_bytes} bytes to decode, more than the {max_bytes} allowed"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        needed_bytes: u64,
        max_bytes: u64,
    },

    #[error(
        "the image is {width}×{height} pixels, less than the {min_width}×{min_height} required"
    )]
    TooSmall {
        width: u32,
        height: u32,
        min_width: u32,
        min_height: u32,
    },

    #[error("the image is {width}×{height} pixels; its aspect ratio is outside {min} to {max}")]
    BadAspectRatio {
        width: u32,
        height: u32,
        min: AspectRatio,
        max: AspectRatio,
    },

    #[error("the {format} file could not be decoded: {detail}")]
    DecodeFailed { format: Format, detail: String },

    #[error("re-encoding the image failed: {detail}")]
    EncodeFailed { detail: String },

    #[error("bad URL: {reason}")]
    BadUrl { reason: BadUrlReason },

    #[error("the URL scheme {scheme:?} is not allowed; only http and https are")]
    ForbiddenScheme { scheme: String },

    #[error("port {port} is not allowed for image URLs")]
    ForbiddenPort { port: u16 },

    #[error("the host {host:?} is an internal name and may not be fetched")]
    ForbiddenHost { host: String },

    #[error("{host:?} points to {ip}, an address that may not be fetched")]
    ForbiddenAddress { host: String, ip: IpAddr },

    #[error("{host:?} resolved to no address")]
    NoAddress { host: String },
}

/// What exactly is wrong with a URL; shown to the seller, so each says what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadUrlReason {
    #[error("the URL is empty")]
    Empty,
    #[error("the URL is too long")]
    TooLong,
    #[error("the URL contains spaces, control characters or backslashes")]
    InvalidCharacters,
    #[error("the URL is not absolute (it must start with http:// or https://)")]
    NotAbsolute,
    #[error("the URL contains a user name or password")]
    Userinfo,
    #[error("the URL has no host")]
    MissingHost,
    #[error("the host is not a valid name")]
    InvalidHost,
    #[error("the host is a number in a non-standard notation; write the address as a.b.c.d")]
    NonCanonicalAddress,
    #[error("the URL could not be parsed")]
    Unparseable,
}

impl MediaError {
    /// A stable snake_case code for APIs, the UI and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            MediaError::EmptyFile => "empty_file",
            MediaError::TooLargeFile { .. } => "too_large_file",
            MediaError::UnsupportedFormat { .. } => "unsupported_format",
            MediaError::Mislabelled { .. } => "mislabelled",
            MediaError::UnsupportedContentType { .. } => "unsupported_content_type",
            MediaError::Truncated { .. } => "truncated",
            // Both tell the seller the same thing: the picture is too big to handle.
            MediaError::DimensionsTooLarge { .. } | MediaError::TooManyPixels { .. } => {
                "dimensions_too_large"
            }
            MediaError::TooSmall { .. } => "too_small",
            MediaError::BadAspectRatio { .. } => "bad_aspect_ratio",
            MediaError::DecodeFailed { .. } => "decode_failed",
            MediaError::EncodeFailed { .. } => "encode_failed",
            MediaError::BadUrl { .. } => "bad_url",
            MediaError::ForbiddenScheme { .. } => "forbidden_scheme",
            MediaError::ForbiddenPort { .. } => "forbidden_port",
            // A forbidden name and a forbidden address are one decision for the seller.
            MediaError::ForbiddenHost { .. } | MediaError::ForbiddenAddress { .. } => {
                "forbidden_address"
            }
            MediaError::NoAddress { .. } => "no_address",
        }
    }

    /// The boundary error code this maps to (REST API, server functions).
    pub const fn error_code(&self) -> ErrorCode {
        match self {
            MediaError::TooLargeFile { .. } => ErrorCode::PayloadTooLarge,
            MediaError::UnsupportedFormat { .. }
            | MediaError::Mislabelled { .. }
            | MediaError::UnsupportedContentType { .. } => ErrorCode::UnsupportedMediaType,
            MediaError::EncodeFailed { .. } => ErrorCode::Internal,
            _ => ErrorCode::Validation,
        }
    }

    /// Whether the problem is on our side rather than in the seller's file or URL.
    pub const fn is_internal(&self) -> bool {
        matches!(self, MediaError::EncodeFailed { .. })
    }

    /// A field error for forms and import reports, with this error's code and message.
    pub fn to_field_error(&self, field: &str, locale: Locale) -> FieldError {
        FieldError::new(field, self.code(), self.message(locale))
    }

    /// What went wrong and what to do, in the seller's language.
    ///
    /// Decoder details stay out of these texts (they are in `Display`, for logs):
    /// they mean nothing to a seller.
    pub fn message(&self, locale: Locale) -> String {
        let ru = locale == Locale::Ru;
        match self {
            MediaError::EmptyFile => {
                locale.pick("Файл пустой. Выберите файл с изображением.", "The file is empty. Choose an image file.").to_owned()
            }
            MediaError::TooLargeFile { size_bytes, max_bytes } => {
                let size = megabytes(*size_bytes, true, locale);
                let max = megabytes(*max_bytes, false, locale);
                if ru {
                    format!("Файл весит {size}, а можно не больше {max}. Уменьшите изображение или сохраните его с меньшим качеством.")
                } else {
                    format!("The file is {size}; the limit is {max}. Make the image smaller or save it at a lower quality.")
                }
            }
            MediaError::UnsupportedFormat { found } => {
                let name = found.name(locale);
                if ru {
                    format!("Это {name}, а принимаются только изображения JPEG, PNG и WebP. Сохраните изображение в одном из этих форматов.")
                } else {
                    format!("This is {name}; only JPEG, PNG and WebP images are accepted. Save the image in one of these formats.")
                }
            }
            MediaError::Mislabelled { declared, actual } => match declared {
                Declaration::Extension(ext) => {
                    let right = actual.extension();
                    if ru {
                        format!("Файл назван .{ext}, но на самом деле это {actual}. Переименуйте его в .{right} или пересохраните в нужном формате.")
                    } else {
                        format!("The file says .{ext} but is a {actual}. Rename it to .{right} or re-save it in the format its name says.")
                    }
                }
                Declaration::ContentType(content_type) => {
                    if ru {
                        format!("Сервер называет файл {content_type}, но на самом деле это {actual}. Скачайте изображение и загрузите его файлом.")
                    } else {
                        format!("The file is labelled {content_type} but is a {actual}. Download the image and upload it as a file.")
                    }
                }
            },
            MediaError::UnsupportedContentType { content_type } => {
                if ru {
                    format!("По ссылке не изображение (тип {content_type}). Укажите прямую ссылку на файл JPEG, PNG или WebP.")
                } else {
                    format!("The link does not lead to an image (type {content_type}). Give a direct link to a JPEG, PNG or WebP file.")
                }
            }
            MediaError::Truncated { format } => {
                if ru {
                    format!("Файл {format} обрезан: он загрузился не полностью. Загрузите его ещё раз.")
                } else {
                    format!("The {format} file is cut short: it did not arrive whole. Upload it again.")
                }
            }
            MediaError::DimensionsTooLarge { width, height, max_width, max_height } => {
                if ru {
                    format!("Изображение {width}×{height} пикселей, а можно не больше {max_width}×{max_height}. Уменьшите его.")
                } else {
                    format!("The image is {width}×{height} pixels; the limit is {max_width}×{max_height}. Scale it down.")
                }
            }
            MediaError::TooManyPixels { width, height, .. } => {
                if ru {
                    format!("Изображение {width}×{height} пикселей слишком большое для обработки. Уменьшите его.")
                } else {
                    format!("The image is {width}×{height} pixels, too large to process. Scale it down.")
                }
            }
            MediaError::TooSmall { width, height, min_width, min_height } => {
                if ru {
                    format!("Изображение {width}×{height} пикселей слишком маленькое: нужно хотя бы {min_width}×{min_height}. Загрузите фото большего размера.")
                } else {
                    format!("The image is {width}×{height} pixels, too small: at least {min_width}×{min_height} is required. Upload a larger photo.")
                }
            }
            MediaError::BadAspectRatio { width, height, min, max } => {
                if ru {
                    format!("Изображение {width}×{height} слишком вытянутое: соотношение сторон должно быть от {min} до {max}. Обрежьте его.")
                } else {
                    format!("The image is {width}×{height}, too elongated: the aspect ratio must be between {min} and {max}. Crop it.")
                }
            }
            MediaError::DecodeFailed { format, .. } => {
                if ru {
                    format!("Файл {format} повреждён и не читается. Пересохраните изображение и загрузите снова.")
                } else {
                    format!("The {format} file is damaged and cannot be read. Re-save the image and upload it again.")
                }
            }
            MediaError::EncodeFailed { .. } => locale
                .pick(
                    "Не удалось обработать изображение из-за ошибки на нашей стороне. Попробуйте позже.",
                    "The image could not be processed because of an error on our side. Try again later.",
                )
                .to_owned(),
            MediaError::BadUrl { reason } => bad_url_message(*reason, locale),
            MediaError::ForbiddenScheme { scheme } => {
                if ru {
                    format!("Ссылки вида {scheme}: не поддерживаются. Укажите ссылку, начинающуюся с http:// или https://.")
                } else {
                    format!("{scheme}: links are not supported. Give a link starting with http:// or https://.")
                }
            }
            MediaError::ForbiddenPort { port } => {
                if ru {
                    format!("Загрузка с порта {port} запрещена. Используйте обычную ссылку http:// или https:// без номера порта.")
                } else {
                    format!("Fetching from port {port} is not allowed. Use a plain http:// or https:// link without a port number.")
                }
            }
            MediaError::ForbiddenHost { host } | MediaError::ForbiddenAddress { host, .. } => {
                if ru {
                    format!("Адрес {host} ведёт во внутреннюю сеть, загружать оттуда нельзя. Укажите общедоступную ссылку.")
                } else {
                    format!("{host} points into a private network, which may not be fetched. Give a public link.")
                }
            }
            MediaError::NoAddress { host } => {
                if ru {
                    format!("Сайт {host} не найден. Проверьте ссылку.")
                } else {
                    format!("The site {host} was not found. Check the link.")
                }
            }
        }
    }
}

fn bad_url_message(reason: BadUrlReason, locale: Locale) -> String {
    let (ru, en) = match reason {
        BadUrlReason::Empty => ("Ссылка пустая.", "The link is empty."),
        BadUrlReason::TooLong => ("Ссылка слишком длинная.", "The link is too long."),
        BadUrlReason::InvalidCharacters => (
            "В ссылке есть пробелы, управляющие символы или обратная косая черта.",
            "The link contains spaces, control characters or backslashes.",
        ),
        BadUrlReason::NotAbsolute => (
            "Ссылка должна начинаться с http:// или https://.",
            "The link must start with http:// or https://.",
        ),
        BadUrlReason::Userinfo => (
            "Ссылка не должна содержать имя пользователя или пароль.",
            "The link must not contain a user name or password.",
        ),
        BadUrlReason::MissingHost => (
            "В ссылке нет адреса сайта.",
            "The link has no site address.",
        ),
        BadUrlReason::InvalidHost => (
            "Адрес сайта в ссылке записан неправильно.",
            "The site address in the link is not valid.",
        ),
        BadUrlReason::NonCanonicalAddress => (
            "IP-адрес в ссылке записан в нестандартном виде. Запишите его как a.b.c.d.",
            "The IP address in the link is written in a non-standard way. Write it as a.b.c.d.",
        ),
        BadUrlReason::Unparseable => ("Ссылка записана неправильно.", "The link is not valid."),
    };
    format!(
        "{} {}",
        locale.pick(ru, en),
        locale.pick("Проверьте ссылку.", "Check the link.")
    )
}

/// Megabytes (MiB) with one decimal, in the locale's notation. Sizes round up and
/// limits round down, so a refused file never reads as being within the limit.
fn megabytes(bytes: u64, round_up: bool, locale: Locale) -> String {
    const MIB: u64 = 1024 * 1024;
    let tenths = if round_up {
        bytes.saturating_mul(10).div_ceil(MIB)
    } else {
        bytes.saturating_mul(10) / MIB
    };
    let whole = tenths / 10;
    let fraction = tenths % 10;
    let (separator, unit) = match locale {
        Locale::Ru => (',', "МБ"),
        Locale::En => ('.', "MB"),
    };
    if fraction == 0 {
        format!("{whole} {unit}")
    } else {
        format!("{whole}{separator}{fraction} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_so_a_refused_file_never_looks_within_the_limit() {
        let limit = 20 * 1024 * 1024;
        assert_eq!(megabytes(limit, false, Locale::En), "20 MB");
        assert_eq!(megabytes(limit + 1, true, Locale::En), "20.1 MB");
        assert_eq!(megabytes(limit + 1, true, Locale::Ru), "20,1 МБ");
    }

    #[test]
    fn codes_are_stable_snake_case() {
        let samples = [
            (MediaError::EmptyFile, "empty_file"),
            (
                MediaError::TooLargeFile {
                    size_bytes: 2,
                    max_bytes: 1,
                },
                "too_large_file",
            ),
            (
                MediaError::UnsupportedFormat {
                    found: OtherKind::Gif,
                },
                "unsupported_format",
            ),
            (
                MediaError::Mislabelled {
                    declared: Declaration::Extension("jpg".into()),
                    actual: Format::Png,
                },
                "mislabelled",
            ),
            (
                MediaError::Truncated {
                    format: Format::Jpeg,
                },
                "truncated",
            ),
            (
                MediaError::TooManyPixels {
                    width: 1,
                    height: 1,
                    needed_bytes: 2,
                    max_bytes: 1,
                },
                "dimensions_too_large",
            ),
            (
                MediaError::BadUrl {
                    reason: BadUrlReason::Userinfo,
                },
                "bad_url",
            ),
            (
                MediaError::ForbiddenAddress {
                    host: "x".into(),
                    ip: IpAddr::from([127, 0, 0, 1]),
                },
                "forbidden_address",
            ),
        ];
        for (error, code) in samples {
            assert_eq!(error.code(), code);
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn mislabelled_message_names_both_the_label_and_the_real_type() {
        let error = MediaError::Mislabelled {
            declared: Declaration::Extension("jpg".into()),
            actual: Format::Png,
        };
        let en = error.message(Locale::En);
        assert!(
            en.contains(".jpg") && en.contains("PNG") && en.contains(".png"),
            "{en}"
        );
        let ru = error.message(Locale::Ru);
        assert!(ru.contains(".jpg") && ru.contains("PNG"), "{ru}");
    }

    #[test]
    fn decoder_details_do_not_reach_the_seller() {
        let error = MediaError::DecodeFailed {
            format: Format::Png,
            detail: "zlib stream error at 0x1f".into(),
        };
        assert!(!error.message(Locale::En).contains("zlib"));
        assert!(error.to_string().contains("zlib"));
    }
}
