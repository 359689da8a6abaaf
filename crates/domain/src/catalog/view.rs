//! Read models of the catalog shared by the REST API, the seller cabinet and the
//! admin screens: the category tree as a list, the SKU list and its query, one SKU
//! with its revisions.

use super::category::{
    Attribute, CatalogError, Category, CategoryCode, DEFAULT_RETURN_WINDOW_DAYS,
    MAX_RETURN_WINDOW_DAYS,
};
use super::index::CategoryIndex;
use super::sku::{SkuCommercial, SkuContent, SkuInput, VatRate};
use super::status::{RevisionStatus, SkuStatus};
use super::tree_csv::{AttributeCells, TreeCsvProblem};
use crate::ids::SkuId;
use crate::{FieldError, Locale, Money};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A category as lists show it: with its place in the tree and the attribute schema
/// a SKU placed in it must follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryNode {
    pub code: String,
    pub parent: Option<String>,
    pub name_ru: String,
    pub name_en: String,
    /// Names from the root, `/`-separated.
    pub path_ru: String,
    pub path_en: String,
    /// 0 for a root.
    pub depth: u32,
    /// SKUs go into leaves only.
    pub is_leaf: bool,
    pub return_window_days: u16,
    /// The attributes this category defines itself.
    pub own_attributes: Vec<Attribute>,
    /// Its own attributes plus those inherited from its ancestors, root-first.
    pub attributes: Vec<Attribute>,
}

/// The categories of `index` depth-first (each parent before its children, siblings
/// in the index's order), the order an indented tree is drawn in.
pub fn category_nodes(index: &CategoryIndex) -> Vec<CategoryNode> {
    let mut out = Vec::with_capacity(index.len());
    let mut stack: Vec<_> = index.roots().collect();
    stack.reverse();
    while let Some(c) = stack.pop() {
        let cat = c.category();
        out.push(CategoryNode {
            code: cat.code.to_string(),
            parent: cat.parent.as_ref().map(ToString::to_string),
            name_ru: cat.name_ru.clone(),
            name_en: cat.name_en.clone(),
            path_ru: c.path(Locale::Ru).to_string(),
            path_en: c.path(Locale::En).to_string(),
            depth: c.depth() as u32,
            is_leaf: c.is_leaf(),
            return_window_days: cat.return_window_days,
            own_attributes: cat.attributes.clone(),
            attributes: c.effective_attributes().cloned().collect(),
        });
        let mut children: Vec<_> = c.children().collect();
        children.reverse();
        stack.extend(children);
    }
    out
}

/// The categories of `index` in depth-first order, ready to be stored or sent and
/// rebuilt into the same index (parents always come before their children).
pub fn categories_depth_first(index: &CategoryIndex) -> Vec<Category> {
    let order = category_nodes(index);
    order
        .iter()
        .filter_map(|n| index.get(&n.code).map(|c| c.category().clone()))
        .collect()
}

/// What is wrong with a category tree, for an administrator.
pub fn catalog_error_message(e: &CatalogError, l: Locale) -> String {
    use CatalogError as E;
    match (e, l) {
        (_, Locale::En) => e.to_string(),
        (E::BadCategoryCode(c), _) => format!(
            "Неверный код категории «{c}»: строчные латинские буквы, цифры, «_» или «-» (до 64)"
        ),
        (E::BadAttributeCode(c), _) => format!(
            "Неверный код атрибута «{c}»: латинская буква, затем строчные буквы, цифры или «_»"
        ),
        (E::BadEnumValueCode(c), _) => {
            format!("Неверный код значения «{c}»: строчные латинские буквы, цифры, «_» или «-»")
        }
        (E::DuplicateCategory(c), _) => format!("Категория {c} указана дважды"),
        (E::UnknownParent { category, parent }, _) => {
            format!("У категории {category} неизвестная родительская категория {parent}")
        }
        (E::Cycle(c), _) => format!("Категория {c} оказывается собственным предком"),
        (
            E::DuplicateAttribute {
                category,
                attribute,
            },
            _,
        ) => format!(
            "Категория {category} задаёт атрибут {attribute}, который уже есть у неё или у родительской категории"
        ),
        (
            E::DuplicateEnumValue {
                category,
                attribute,
                value,
            },
            _,
        ) => format!("У атрибута {attribute} категории {category} значение {value} указано дважды"),
        (
            E::EmptyEnum {
                category,
                attribute,
            },
            _,
        ) => format!("У атрибута-списка {attribute} категории {category} нет значений"),
        (
            E::BadRange {
                category,
                attribute,
            },
            _,
        ) => format!("У атрибута {attribute} категории {category} неверные границы"),
        (E::MissingName(c), _) => {
            format!("У категории {c} должны быть русское и английское названия")
        }
        (
            E::MissingAttributeName {
                category,
                attribute,
            },
            _,
        ) => format!(
            "У атрибута {attribute} категории {category} должны быть русское и английское названия"
        ),
        (E::DuplicateSiblingName { name }, _) => {
            format!("Две категории одного уровня называются «{name}»")
        }
        (E::BadReturnWindow(c), _) => {
            format!("Срок возврата категории {c} должен быть от 0 до 365 дней")
        }
    }
}

/// A category as the administrator's editor sends it: every value as typed, the
/// attributes in the category CSV's notation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoryInput {
    pub code: String,
    /// The parent's code; empty for a root.
    pub parent: String,
    pub name_ru: String,
    pub name_en: String,
    /// Days; empty means [`DEFAULT_RETURN_WINDOW_DAYS`].
    pub return_window_days: String,
    /// Rows whose code and names are all empty are ignored (the form's blank row).
    pub attributes: Vec<AttributeCells>,
}

impl CategoryInput {
    /// The editor's starting values for `c`.
    pub fn of(c: &Category) -> Self {
        CategoryInput {
            code: c.code.to_string(),
            parent: c
                .parent
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            name_ru: c.name_ru.clone(),
            name_en: c.name_en.clone(),
            return_window_days: c.return_window_days.to_string(),
            attributes: c.attributes.iter().map(AttributeCells::of).collect(),
        }
    }

    /// Checks this one category's fields (the tree as a whole is checked by
    /// building a [`CategoryIndex`]). Attribute problems name their row:
    /// `attributes[2].attribute_type`.
    pub fn parse(&self, l: Locale) -> Result<Category, Vec<FieldError>> {
        let mut errors = Vec::new();
        let required = |field: &str| {
            FieldError::new(
                field,
                "required",
                l.pick("Заполните это поле", "This field is required"),
            )
        };
        let code = match CategoryCode::parse(&self.code) {
            Ok(c) => Some(c),
            Err(_) if self.code.trim().is_empty() => {
                errors.push(required("code"));
                None
            }
            Err(e) => {
                errors.push(FieldError::new(
                    "code",
                    "invalid_format",
                    catalog_error_message(&e, l),
                ));
                None
            }
        };
        let parent = match self.parent.trim() {
            "" => None,
            p => match CategoryCode::parse(p) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(FieldError::new(
                        "parent",
                        "invalid_format",
                        catalog_error_message(&e, l),
                    ));
                    None
                }
            },
        };
        for (field, value) in [("name_ru", &self.name_ru), ("name_en", &self.name_en)] {
            if value.trim().is_empty() {
                errors.push(required(field));
            }
        }
        let return_window_days = match self.return_window_days.trim() {
            "" => DEFAULT_RETURN_WINDOW_DAYS,
            d => match d.parse::<u16>() {
                Ok(d) if d <= MAX_RETURN_WINDOW_DAYS => d,
                _ => {
                    errors.push(FieldError::new(
                        "return_window_days",
                        "out_of_range",
                        l.pick(
                            "Срок возврата — целое число дней от 0 до 365",
                            "The return window is a whole number of days from 0 to 365",
                        ),
                    ));
                    DEFAULT_RETURN_WINDOW_DAYS
                }
            },
        };
        let mut attributes = Vec::new();
        for (i, cells) in self.attributes.iter().enumerate() {
            if [&cells.code, &cells.name_ru, &cells.name_en]
                .iter()
                .all(|c| c.trim().is_empty())
            {
                continue;
            }
            match cells.parse() {
                Ok(a) => attributes.push(a),
                Err(problems) => {
                    for (column, kind) in problems {
                        let cell = column.strip_prefix("attribute_").unwrap_or(column);
                        let cell = if cell == "type" {
                            "attribute_type"
                        } else {
                            cell
                        };
                        errors.push(FieldError::new(
                            format!("attributes[{i}].{cell}"),
                            "invalid",
                            kind.message(l),
                        ));
                    }
                }
            }
        }
        match code {
            Some(code) if errors.is_empty() => Ok(Category {
                code,
                parent,
                name_ru: self.name_ru.trim().to_string(),
                name_en: self.name_en.trim().to_string(),
                return_window_days,
                attributes,
            }),
            _ => Err(errors),
        }
    }
}

/// Where a tree-level mistake shows in the editor's form.
pub fn catalog_error_field(e: &CatalogError, category: &Category) -> String {
    use CatalogError as E;
    let attribute_row = |code: &str| {
        category
            .attributes
            .iter()
            .position(|a| a.code.as_str() == code)
            .map(|i| format!("attributes[{i}].code"))
            .unwrap_or_else(|| "attributes".to_string())
    };
    match e {
        E::UnknownParent { .. } | E::Cycle(_) => "parent".into(),
        E::DuplicateSiblingName { .. } => "name_ru".into(),
        E::MissingName(_) => "name_ru".into(),
        E::BadReturnWindow(_) => "return_window_days".into(),
        E::DuplicateAttribute { attribute, .. }
        | E::DuplicateEnumValue { attribute, .. }
        | E::EmptyEnum { attribute, .. }
        | E::BadRange { attribute, .. }
        | E::MissingAttributeName { attribute, .. } => attribute_row(attribute),
        E::BadCategoryCode(_) | E::DuplicateCategory(_) => "code".into(),
        E::BadAttributeCode(_) | E::BadEnumValueCode(_) => "attributes".into(),
    }
}

/// One problem of an uploaded category tree, naming row and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeProblemView {
    /// 1-based, the header is row 1; 0 when the problem is about the file as a whole.
    pub row: u64,
    pub column: Option<String>,
    pub message: String,
}

impl TreeProblemView {
    pub fn of(p: &TreeCsvProblem, l: Locale) -> Self {
        TreeProblemView {
            row: p.row,
            column: p.column.map(str::to_string),
            message: p.kind.message(l),
        }
    }
}

/// What an applied tree upload changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeImportReport {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub deleted: u32,
    /// Categories missing from the file but kept because SKUs are in them (or in
    /// categories below them).
    pub kept: Vec<String>,
}

/// The outcome of a tree upload: applied as a whole, or refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TreeImportResult {
    Applied(TreeImportReport),
    Rejected(Vec<TreeProblemView>),
}

/// What the SKU list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkuSort {
    /// Last change first (the default).
    #[default]
    Updated,
    Title,
    Price,
    Stock,
}

impl SkuSort {
    pub const ALL: [SkuSort; 4] = [
        SkuSort::Updated,
        SkuSort::Title,
        SkuSort::Price,
        SkuSort::Stock,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SkuSort::Updated => "updated",
            SkuSort::Title => "title",
            SkuSort::Price => "price",
            SkuSort::Stock => "stock",
        }
    }

    /// The direction a click on the column header starts with: newest, cheapest...
    pub const fn default_dir(self) -> SortDir {
        match self {
            SkuSort::Updated => SortDir::Desc,
            SkuSort::Title | SkuSort::Price | SkuSort::Stock => SortDir::Asc,
        }
    }
}

impl FromStr for SkuSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SkuSort::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| format!("unknown sort {s:?}: use updated, title, price or stock"))
    }
}

impl fmt::Display for SkuSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    Asc,
    #[default]
    Desc,
}

impl SortDir {
    pub const fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }

    pub const fn flip(self) -> SortDir {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }
}

impl FromStr for SortDir {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "asc" => Ok(SortDir::Asc),
            "desc" => Ok(SortDir::Desc),
            _ => Err(format!("unknown direction {s:?}: use asc or desc")),
        }
    }
}

/// The most SKUs one page of the list holds.
pub const SKU_PAGE_MAX: i64 = 200;
/// The size of a page when the caller does not say.
pub const SKU_PAGE_DEFAULT: i64 = 50;
/// Lists count matches up to this many; beyond it the total is shown as "more than".
pub const SKU_COUNT_CAP: i64 = 10_000;

/// What the SKU list shows: filters, order and the page wanted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SkuListQuery {
    /// Searched in the seller's code, title, brand and barcode (case-insensitive).
    pub q: Option<String>,
    pub status: Option<SkuStatus>,
    /// A category code; SKUs in it (leaf) or anywhere below it.
    pub category: Option<String>,
    pub sort: SkuSort,
    /// `None` means the sort's natural direction ([`SkuSort::default_dir`]).
    pub dir: Option<SortDir>,
    /// Opaque cursor from a page's `next_cursor`: the page after it.
    pub after: Option<String>,
    /// Opaque cursor from a page's `prev_cursor`: the page before it.
    pub before: Option<String>,
    /// Page size, 1..=[`SKU_PAGE_MAX`]; `None` means [`SKU_PAGE_DEFAULT`].
    pub limit: Option<i64>,
}

impl SkuListQuery {
    pub fn direction(&self) -> SortDir {
        self.dir.unwrap_or(self.sort.default_dir())
    }

    pub fn page_size(&self) -> i64 {
        self.limit
            .unwrap_or(SKU_PAGE_DEFAULT)
            .clamp(1, SKU_PAGE_MAX)
    }
}

/// One row of the SKU list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuListItem {
    pub id: SkuId,
    pub seller_sku: String,
    pub title: String,
    pub brand: Option<String>,
    pub category: String,
    pub barcode: Option<String>,
    pub status: SkuStatus,
    pub price: Money,
    pub old_price: Option<Money>,
    pub vat: VatRate,
    pub stock: i64,
    /// A content change waits for moderation while older content is live.
    pub has_pending_change: bool,
    pub updated_at_ms: i64,
}

/// One page of the SKU list. Pages follow each other by cursor, so a page deep in
/// a million SKUs costs the same as the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuListPage {
    pub items: Vec<SkuListItem>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
    /// The cursor of the previous page, if this is not the first.
    pub prev_cursor: Option<String>,
    /// Matching SKUs, counted up to [`SKU_COUNT_CAP`].
    pub total: i64,
    /// False when there are more than `total` matches.
    pub total_is_exact: bool,
}

/// A content revision with its moderation outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuRevisionView {
    pub number: i64,
    pub status: RevisionStatus,
    pub content: SkuContent,
    /// `cabinet`, `api`, `import:<id>`, `demo`.
    pub source: String,
    pub created_at_ms: i64,
    pub decided_at_ms: Option<i64>,
    pub decision_reasons: Vec<String>,
    pub decision_comment: Option<String>,
}

/// What moderation said about the newest content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuModeration {
    /// The newest revision's status; `None` for a SKU without content yet.
    pub status: Option<RevisionStatus>,
    /// Machine codes of the reasons for a rejection.
    pub reason_codes: Vec<String>,
    /// The moderator's words to the seller.
    pub comment: Option<String>,
    /// The fields the reasons concern (`title`, `attr:color`...).
    pub fields: Vec<String>,
    /// The reasons with their names and hints in both languages, in the order given.
    #[serde(default)]
    pub reasons: Vec<crate::moderation::Reason>,
    /// How moderation decided: `approve`, `reject`, `request_changes`,
    /// `auto_approve`, `auto_reject` (none while pending).
    #[serde(default)]
    pub decision: Option<crate::moderation::DecisionKind>,
    /// Each image of the newest content: processing status, size, problem.
    #[serde(default)]
    pub images: Vec<crate::moderation::view::ImageStatus>,
}

/// One SKU with its live and newest content and its revision history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuDetail {
    pub id: SkuId,
    pub seller_sku: String,
    pub status: SkuStatus,
    pub commercial: SkuCommercial,
    /// What buyers see: the last approved content (none before the first approval).
    pub live: Option<SkuRevisionView>,
    /// The newest content, whatever its status.
    pub latest: Option<SkuRevisionView>,
    /// Every revision, newest first (content left out; see `live` and `latest`).
    pub history: Vec<SkuRevisionSummary>,
    pub moderation: SkuModeration,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl SkuDetail {
    /// The values the edit form starts from: the newest content and the live
    /// commercial data.
    pub fn form_input(&self) -> Option<SkuInput> {
        self.latest
            .as_ref()
            .map(|r| SkuInput::from_parts(&self.seller_sku, &r.content, &self.commercial))
    }

    /// True when newer content waits for moderation while older content is live.
    pub fn has_pending_change(&self) -> bool {
        matches!((&self.live, &self.latest), (Some(l), Some(n)) if l.number != n.number && n.status == RevisionStatus::Pending)
    }
}

/// A revision in the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuRevisionSummary {
    pub number: i64,
    pub status: RevisionStatus,
    pub source: String,
    pub created_at_ms: i64,
    pub decided_at_ms: Option<i64>,
    pub decision_reasons: Vec<String>,
    pub decision_comment: Option<String>,
    /// The title this revision gave the SKU, to tell revisions apart.
    pub title: String,
}

/// How many SKUs a seller has in each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuCounts {
    /// Every status, in [`SkuStatus::ALL`] order, with its count (zeros included).
    pub by_status: Vec<(SkuStatus, i64)>,
    pub total: i64,
}

impl SkuCounts {
    pub fn of(&self, status: SkuStatus) -> i64 {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// What a write of one SKU did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpsertOutcome {
    /// A new SKU, waiting for moderation.
    Created,
    /// Changed: commercial data live at once, content as a new pending revision.
    Updated,
    /// Nothing differed from what is stored.
    Unchanged,
}

impl UpsertOutcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            UpsertOutcome::Created => "created",
            UpsertOutcome::Updated => "updated",
            UpsertOutcome::Unchanged => "unchanged",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_lists_parents_before_children_with_inherited_attributes() {
        let index = CategoryIndex::starter();
        let nodes = category_nodes(&index);
        assert_eq!(nodes.len(), index.len());
        for (i, n) in nodes.iter().enumerate() {
            if let Some(p) = &n.parent {
                let at = nodes.iter().position(|m| &m.code == p).unwrap();
                assert!(at < i, "{} listed before its parent {p}", n.code);
                assert_eq!(nodes[at].depth + 1, n.depth);
            }
        }
        let phone = nodes.iter().find(|n| n.code == "smartphones").unwrap();
        assert!(phone.is_leaf);
        assert_eq!(phone.path_ru, "Электроника/Смартфоны");
        assert!(phone.attributes.len() > phone.own_attributes.len());
        let rebuilt = CategoryIndex::new(categories_depth_first(&index)).unwrap();
        assert_eq!(rebuilt.len(), index.len());
    }

    #[test]
    fn the_category_editor_round_trips_and_names_bad_attribute_cells() {
        let index = CategoryIndex::starter();
        let phone = index.get("smartphones").unwrap().category().clone();
        assert_eq!(
            CategoryInput::of(&phone).parse(Locale::En),
            Ok(phone.clone())
        );
        let mut input = CategoryInput::of(&phone);
        input.return_window_days = "400".into();
        input.name_en = " ".into();
        input.attributes[0].attribute_type = "number".into();
        input.attributes.push(AttributeCells::default());
        let fields: Vec<String> = input
            .parse(Locale::Ru)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name_en",
                "return_window_days",
                "attributes[0].attribute_type"
            ]
        );
    }

    #[test]
    fn sorts_and_directions_parse_from_their_names() {
        for s in SkuSort::ALL {
            assert_eq!(s.as_str().parse::<SkuSort>(), Ok(s));
        }
        assert!("rating".parse::<SkuSort>().is_err());
        assert_eq!("asc".parse::<SortDir>(), Ok(SortDir::Asc));
        let q = SkuListQuery {
            sort: SkuSort::Price,
            limit: Some(10_000),
            ..SkuListQuery::default()
        };
        assert_eq!(q.direction(), SortDir::Asc);
        assert_eq!(q.page_size(), SKU_PAGE_MAX);
    }

    #[test]
    fn tree_mistakes_read_in_russian() {
        let e = CatalogError::UnknownParent {
            category: "phones".into(),
            parent: "gadgets".into(),
        };
        assert_eq!(
            catalog_error_message(&e, Locale::Ru),
            "У категории phones неизвестная родительская категория gadgets"
        );
        assert_eq!(catalog_error_message(&e, Locale::En), e.to_string());
    }
}
