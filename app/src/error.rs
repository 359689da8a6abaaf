//! The one error type that crosses the wire: server functions return it, the REST
//! API renders it as `{ "error": { "code", "message", "details" } }`.
//!
//! Internal causes are logged once, here at the boundary, with the request id
//! (from the tracing span) and never sent to the client.

use domain::{ErrorCode, FieldError, Locale};
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Field-level problems for validation errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn unauthorized() -> Self {
        AppError::new(ErrorCode::Unauthorized, "Log in to continue")
    }

    pub fn internal() -> Self {
        AppError::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Try again; if it keeps happening, tell support the time it happened",
        )
    }

    /// The first problem with `field`, if any.
    pub fn field(&self, field: &str) -> Option<&FieldError> {
        self.fields.iter().find(|f| f.field == field)
    }

    /// A message for people in `locale`.
    pub fn localized(&self, locale: Locale) -> String {
        if self.code == ErrorCode::Validation {
            return if self.fields.is_empty() {
                self.message.clone()
            } else {
                locale
                    .pick("Проверьте выделенные поля", "Check the highlighted fields")
                    .to_string()
            };
        }
        if locale == Locale::En {
            return self.message.clone();
        }
        let ru = match self.code {
            ErrorCode::Validation => "Проверьте введённые данные",
            ErrorCode::Unauthorized => "Войдите, чтобы продолжить",
            ErrorCode::Forbidden => "Недостаточно прав для этого действия",
            ErrorCode::NotFound => "Не найдено",
            ErrorCode::Conflict => {
                "Данные изменились или конфликтуют с текущим состоянием. Обновите страницу"
            }
            ErrorCode::IdempotencyKeyReused => {
                "Этот ключ идемпотентности уже использован для другого запроса"
            }
            ErrorCode::IdempotencyKeyInProgress => "Такой запрос ещё выполняется",
            ErrorCode::RateLimited => {
                "Слишком много попыток. Подождите 15 минут и попробуйте снова"
            }
            ErrorCode::SellerSuspended => {
                "Аккаунт продавца приостановлен: просмотр доступен, изменения — нет"
            }
            ErrorCode::SellerNotVerified => "Аккаунт продавца ещё не проверен",
            ErrorCode::CsrfRejected => "Не удалось проверить источник запроса. Обновите страницу",
            ErrorCode::PayloadTooLarge => "Файл или запрос слишком большой",
            ErrorCode::UnsupportedMediaType => "Этот формат не поддерживается",
            ErrorCode::InvalidSignature => "Неверная подпись",
            ErrorCode::StaleEvent => "Событие устарело",
            ErrorCode::InvalidStateTransition => "В текущем статусе это действие недоступно",
            ErrorCode::InsufficientFunds => "Недостаточно средств",
            ErrorCode::InvalidCredentials => "Неверный email или пароль",
            ErrorCode::Internal => "Что-то пошло не так на нашей стороне. Попробуйте ещё раз",
            ErrorCode::Unavailable => "Сервис временно недоступен. Попробуйте через минуту",
        };
        ru.to_string()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Unavailable,
                "Could not reach the server. Check the connection and try again",
            ),
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::new(ErrorCode::Validation, format!("Bad request: {m}"))
            }
            other => {
                tracing::error!(error = %other, "server function failed");
                AppError::internal()
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<db::Error> for AppError {
    fn from(e: db::Error) -> Self {
        let code = e.code();
        match e {
            db::Error::Validation(fields) => AppError {
                code,
                message: fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                fields,
            },
            db::Error::NotFound(what) => AppError::new(code, format!("No such {what}")),
            db::Error::Rule { message, .. } => AppError::new(code, message),
            e @ (db::Error::Database(_) | db::Error::Internal(_)) => {
                if code == ErrorCode::Unavailable {
                    tracing::warn!(error = %e, "database unavailable");
                    AppError::new(
                        code,
                        "The service is temporarily unavailable. Try again in a minute",
                    )
                } else {
                    tracing::error!(error = %e, "request failed");
                    AppError::internal()
                }
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.code.http_status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let details = if self.fields.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::json!({ "fields": self.fields })
        };
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message, "details": details }
        });
        (status, axum::Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
