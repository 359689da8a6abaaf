pub mod api_keys;
pub mod dashboard;
pub mod team;
