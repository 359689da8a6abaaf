//! The seller catalog: category schema, the category tree and its CSV form, SKU
//! rules (shared by the CSV import, the REST API and UI forms), content/commercial
//! hashes, and SKU moderation statuses.
//!
//! Everything here is pure and compiles to wasm32 so the browser runs the same
//! validation as the server.

mod category;
mod fast_hash;
mod hash;
mod index;
mod problem;
mod sku;
mod status;
pub mod text;
mod tree_csv;
mod view;

pub use category::{
    Attribute, AttributeCode, AttributeKind, AttributeValue, CatalogError, Category, CategoryCode,
    DEFAULT_RETURN_WINDOW_DAYS, DEFAULT_TEXT_MAX_LEN, EnumValue, MAX_RETURN_WINDOW_DAYS, Unit,
};
pub(crate) use fast_hash::FastMap;
pub use hash::{COMMERCIAL_HASH_VERSION, CONTENT_HASH_VERSION, CommercialHash, ContentHash};
pub(crate) use index::AttrLoc;
pub use index::{CategoryIndex, CategoryRef, ResolveError};
pub use problem::{ProblemCode, ProblemDetail, ProblemField, SkuProblem};
pub use sku::{
    BRAND_MAX_CHARS, Barcode, BarcodeKind, DESCRIPTION_MAX_CHARS, DIMENSION_MAX_MM,
    IMAGE_URL_MAX_CHARS, ImageUrl, MAX_IMAGES, PRICE_MAX_MINOR, SELLER_SKU_MAX_CHARS, STOCK_MAX,
    SellerSku, SkuAttribute, SkuCommercial, SkuContent, SkuField, SkuInput, SkuRules,
    TITLE_MAX_CHARS, ValidatedSku, VatRate, WEIGHT_MAX_G, gtin_check_digit,
};
pub(crate) use sku::{
    Issue, RawImages, RawSku, check_core, missing_required, parse_attribute_value, resolve_leaf,
};
pub use status::{ModerationAction, RevisionStatus, SkuStatus, TransitionError};
pub use tree_csv::{
    AttributeCells, CATEGORY_CSV_COLUMNS, TreeCsvProblem, TreeCsvProblemKind, parse_category_csv,
    parse_category_csv_with_rows, parse_category_index, starter_categories, write_category_csv,
};
pub use view::{
    CategoryInput, CategoryNode, SKU_COUNT_CAP, SKU_PAGE_DEFAULT, SKU_PAGE_MAX, SkuCounts,
    SkuDetail, SkuListItem, SkuListPage, SkuListQuery, SkuModeration, SkuRevisionSummary,
    SkuRevisionView, SkuSort, SortDir, TreeImportReport, TreeImportResult, TreeProblemView,
    UpsertOutcome, catalog_error_field, catalog_error_message, categories_depth_first,
    category_nodes,
};

/// The starter index built once per test binary.
#[cfg(test)]
pub(crate) fn starter_for_tests() -> std::sync::Arc<CategoryIndex> {
    static INDEX: std::sync::OnceLock<std::sync::Arc<CategoryIndex>> = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| std::sync::Arc::new(CategoryIndex::starter()))
        .clone()
}
