//! Server functions, by audience. Each is a public HTTP endpoint (POST under `/rpc`):
//! it authorises, parses, calls one use case and maps the result to a DTO.

pub mod admin;
pub mod finance;
pub mod moderation;
pub mod public;
pub mod seller;
