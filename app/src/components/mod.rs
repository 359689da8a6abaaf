//! Shared UI pieces: the area layout, form fields, status badges, pagers and the
//! loading and error states every async view uses.

#[cfg(feature = "hydrate")]
pub mod browser;
pub mod catalog;
pub mod image_upload;
pub mod layout;
pub mod orders;
pub mod scope;
pub mod seller_picker;
pub mod ui;
