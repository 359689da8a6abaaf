pub mod change_seller_status;
pub mod create_user;
pub mod get_admin_overview;
pub mod import_categories;
pub mod list_audit;
pub mod list_categories;
pub mod list_sellers;
pub mod list_users;
