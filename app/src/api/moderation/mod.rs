//! The moderation area's server functions (moderators only).
pub mod block_sku;
pub mod claim_items;
pub mod decide_items;
pub mod find_skus;
pub mod get_item;
pub mod list_decisions;
pub mod list_held;
pub mod list_reasons;
pub mod release_items;
pub mod stats;
