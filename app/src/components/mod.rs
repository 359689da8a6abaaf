//! Shared UI pieces: the area layout, form fields, status badges, pagers and the
//! loading and error states every async view uses.

pub mod layout;
pub mod ui;
