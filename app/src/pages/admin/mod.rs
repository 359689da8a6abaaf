pub mod audit;
pub mod categories;
pub mod channel_keys;
pub mod dashboard;
pub mod moderation;
pub mod orders;
pub mod sellers;
pub mod users;
