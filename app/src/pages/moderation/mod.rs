pub mod dashboard;
pub mod queue;
pub mod skus;
