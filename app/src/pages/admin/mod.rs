pub mod audit;
pub mod dashboard;
pub mod sellers;
pub mod users;
