pub mod audit;
pub mod categories;
pub mod dashboard;
pub mod moderation;
pub mod sellers;
pub mod users;
