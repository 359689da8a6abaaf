//! The seller catalog: SKU writes (single, batch and CSV import share one path) and
//! the reads behind the cabinet and the REST API.

pub mod categories;
pub mod skus;
pub mod upsert;
