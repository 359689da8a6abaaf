pub mod api_keys;
pub mod catalog;
pub mod dashboard;
pub mod finance;
pub mod imports;
pub mod sku;
pub mod team;
