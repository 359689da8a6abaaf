//! Pages by area.

pub mod admin;
pub mod finance;
pub mod moderation;
pub mod public;
pub mod seller;
