//! [`CategoryIndex`]: a checked category tree with the look-ups imports, the API and
//! the UI need, all precomputed so per-row work is hash look-ups.

use super::category::{Attribute, AttributeKind, CatalogError, Category, CategoryCode, EnumValue};
use super::fast_hash::FastMap;
use super::text::{
    fold_name, fold_name_into, fold_path, fold_path_into, header_key, header_key_into,
};
use crate::Locale;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::sync::Arc;

/// Where an attribute is defined: category position and attribute position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AttrLoc {
    pub(crate) cat: u32,
    pub(crate) attr: u32,
}

/// Look-up data computed once per attribute.
#[derive(Debug, Clone)]
struct AttrMeta {
    /// Folded enum value code and names → value position. Codes win over names.
    enum_lookup: FastMap<String, u16>,
    /// Enum value codes, shared with every SKU value that uses them.
    enum_codes: Vec<Arc<str>>,
    /// Header keys (see [`header_key`]) a column for this attribute may have.
    header_keys: Vec<String>,
}

/// Why a category could not be resolved from what a person typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("no such category")]
    Unknown,
    /// The name matches several categories; the full paths that match (RU).
    #[error("several categories match: {0:?}")]
    Ambiguous(Vec<String>),
}

#[derive(Debug, Clone)]
enum Lookup {
    One(u32),
    Ambiguous(Vec<u32>),
}

/// Priorities of the ways a category can be named; a lower number wins a clash.
const PRIO_FULL_PATH: u8 = 0;
const PRIO_CODE: u8 = 1;
const PRIO_SUFFIX: u8 = 2;

/// A checked category tree.
///
/// Built from a list of [`Category`] values (for example from
/// [`super::parse_category_csv`]). Resolves categories by code, by full path in
/// Russian or English (`Электроника/Смартфоны`, `Electronics > Smartphones`,
/// case-insensitive, `ё` = `е`, extra spaces ignored), or by a path suffix such as the
/// bare leaf name when that is unambiguous.
#[derive(Debug, Clone)]
pub struct CategoryIndex {
    categories: Vec<Category>,
    parent: Vec<Option<u32>>,
    children: Vec<Vec<u32>>,
    path_ru: Vec<String>,
    path_en: Vec<String>,
    by_code: FastMap<String, u32>,
    by_folded: FastMap<String, (u8, Lookup)>,
    /// Effective attributes per category, root-first.
    effective: Vec<Vec<AttrLoc>>,
    meta: Vec<Vec<AttrMeta>>,
    /// Header key of an attribute code → the code (same code means same key).
    code_keys: HashMap<String, super::AttributeCode>,
    /// Header key of an attribute name (with or without unit) → codes carrying it.
    name_keys: HashMap<String, Vec<super::AttributeCode>>,
}

impl CategoryIndex {
    /// Checks the tree and builds the look-ups. Categories keep their given order.
    pub fn new(categories: Vec<Category>) -> Result<Self, CatalogError> {
        let mut by_code = FastMap::default();
        for (i, c) in categories.iter().enumerate() {
            if by_code
                .insert(c.code.as_str().to_string(), i as u32)
                .is_some()
            {
                return Err(CatalogError::DuplicateCategory(c.code.to_string()));
            }
            if c.name_ru.trim().is_empty() || c.name_en.trim().is_empty() {
                return Err(CatalogError::MissingName(c.code.to_string()));
            }
            if c.return_window_days > super::category::MAX_RETURN_WINDOW_DAYS {
                return Err(CatalogError::BadReturnWindow(c.code.to_string()));
            }
            for a in &c.attributes {
                check_attribute(c, a)?;
            }
        }
        let mut parent = Vec::with_capacity(categories.len());
        for c in &categories {
            parent.push(match &c.parent {
                None => None,
                Some(p) => {
                    Some(
                        *by_code
                            .get(p.as_str())
                            .ok_or_else(|| CatalogError::UnknownParent {
                                category: c.code.to_string(),
                                parent: p.to_string(),
                            })?,
                    )
                }
            });
        }
        // A walk up longer than the number of categories means a cycle.
        for (i, c) in categories.iter().enumerate() {
            let mut steps = 0;
            let mut at = parent[i];
            while let Some(p) = at {
                steps += 1;
                if p as usize == i || steps > categories.len() {
                    return Err(CatalogError::Cycle(c.code.to_string()));
                }
                at = parent[p as usize];
            }
        }
        let mut children = vec![Vec::new(); categories.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                children[*p as usize].push(i as u32);
            }
        }
        // Sibling names must differ, or a path would name two categories.
        {
            let mut seen: HashMap<(Option<u32>, String), usize> = HashMap::new();
            for (i, c) in categories.iter().enumerate() {
                for name in [&c.name_ru, &c.name_en] {
                    // The same category may use one name in both languages.
                    let owner = *seen.entry((parent[i], fold_name(name))).or_insert(i);
                    if owner != i {
                        return Err(CatalogError::DuplicateSiblingName { name: name.clone() });
                    }
                }
            }
        }

        let chain = |i: usize| -> Vec<usize> {
            let mut v = vec![i];
            let mut at = parent[i];
            while let Some(p) = at {
                v.push(p as usize);
                at = parent[p as usize];
            }
            v.reverse();
            v
        };

        let mut path_ru = Vec::with_capacity(categories.len());
        let mut path_en = Vec::with_capacity(categories.len());
        let mut effective = Vec::with_capacity(categories.len());
        for i in 0..categories.len() {
            let ch = chain(i);
            path_ru.push(
                ch.iter()
                    .map(|&j| categories[j].name_ru.trim())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
            path_en.push(
                ch.iter()
                    .map(|&j| categories[j].name_en.trim())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
            let mut eff: Vec<AttrLoc> = Vec::new();
            for &j in &ch {
                for (k, a) in categories[j].attributes.iter().enumerate() {
                    if eff.iter().any(|l| {
                        categories[l.cat as usize].attributes[l.attr as usize].code == a.code
                    }) {
                        return Err(CatalogError::DuplicateAttribute {
                            category: categories[j].code.to_string(),
                            attribute: a.code.to_string(),
                        });
                    }
                    eff.push(AttrLoc {
                        cat: j as u32,
                        attr: k as u32,
                    });
                }
            }
            effective.push(eff);
        }

        let mut by_folded: FastMap<String, (u8, Lookup)> = FastMap::default();
        for i in 0..categories.len() {
            for p in [&path_ru[i], &path_en[i]] {
                insert_lookup(&mut by_folded, fold_path(p), PRIO_FULL_PATH, i as u32);
            }
            insert_lookup(
                &mut by_folded,
                fold_name(categories[i].code.as_str()),
                PRIO_CODE,
                i as u32,
            );
        }
        for i in 0..categories.len() {
            for p in [&path_ru[i], &path_en[i]] {
                let folded = fold_path(p);
                let mut rest = folded.as_str();
                while let Some(pos) = rest.find('/') {
                    rest = &rest[pos + 1..];
                    insert_lookup(&mut by_folded, rest.to_string(), PRIO_SUFFIX, i as u32);
                }
            }
        }

        let mut meta = Vec::with_capacity(categories.len());
        let mut code_keys = HashMap::new();
        let mut name_keys: HashMap<String, Vec<super::AttributeCode>> = HashMap::new();
        for c in &categories {
            let mut m = Vec::with_capacity(c.attributes.len());
            for a in &c.attributes {
                let mut enum_lookup = FastMap::default();
                let enum_codes = a
                    .enum_values()
                    .iter()
                    .map(|v| Arc::from(v.code.as_str()))
                    .collect();
                if let AttributeKind::Enum { values } = &a.kind {
                    // Codes first so a name never shadows a code.
                    for (k, v) in values.iter().enumerate() {
                        enum_lookup.entry(fold_name(&v.code)).or_insert(k as u16);
                    }
                    for (k, v) in values.iter().enumerate() {
                        enum_lookup.entry(fold_name(&v.name_ru)).or_insert(k as u16);
                        enum_lookup.entry(fold_name(&v.name_en)).or_insert(k as u16);
                    }
                }
                let mut header_keys = vec![header_key(a.code.as_str())];
                let mut names = vec![header_key(&a.name_ru), header_key(&a.name_en)];
                if let Some(u) = a.kind.unit() {
                    for l in [Locale::Ru, Locale::En] {
                        names.push(header_key(&format!("{}{}", a.name(l), u.symbol(l))));
                        names.push(header_key(&format!("{}{}", a.name(l), u.code())));
                        for s in u.cell_suffixes() {
                            names.push(header_key(&format!("{}{}", a.name(l), s)));
                        }
                    }
                }
                names.retain(|k| !k.is_empty());
                names.sort();
                names.dedup();
                code_keys.insert(header_key(a.code.as_str()), a.code.clone());
                for k in &names {
                    let codes = name_keys.entry(k.clone()).or_default();
                    if !codes.contains(&a.code) {
                        codes.push(a.code.clone());
                    }
                }
                header_keys.extend(names);
                m.push(AttrMeta {
                    enum_lookup,
                    enum_codes,
                    header_keys,
                });
            }
            meta.push(m);
        }

        Ok(Self {
            categories,
            parent,
            children,
            path_ru,
            path_en,
            by_code,
            by_folded,
            effective,
            meta,
            code_keys,
            name_keys,
        })
    }

    /// The tree Bazaar starts with (see `starter_categories.csv`).
    pub fn starter() -> Self {
        super::tree_csv::starter_index()
    }

    pub fn len(&self) -> usize {
        self.categories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }

    /// All categories in their original order (parents are not necessarily first).
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// All categories as handles, in their original order.
    pub fn iter(&self) -> impl Iterator<Item = CategoryRef<'_>> + '_ {
        (0..self.categories.len() as u32).map(move |pos| CategoryRef { index: self, pos })
    }

    pub fn roots(&self) -> impl Iterator<Item = CategoryRef<'_>> + '_ {
        self.iter().filter(|c| c.parent().is_none())
    }

    pub fn leaves(&self) -> impl Iterator<Item = CategoryRef<'_>> + '_ {
        self.iter().filter(CategoryRef::is_leaf)
    }

    /// The category with exactly this code.
    pub fn get(&self, code: &str) -> Option<CategoryRef<'_>> {
        self.by_code
            .get(code)
            .map(|&pos| CategoryRef { index: self, pos })
    }

    /// Resolves what a person typed: a code, a full path in RU or EN, or an
    /// unambiguous path suffix such as the leaf name.
    pub fn resolve(&self, input: &str) -> Result<CategoryRef<'_>, ResolveError> {
        let mut scratch = String::new();
        self.resolve_pos(input, &mut scratch)
            .map(|pos| CategoryRef { index: self, pos })
    }

    pub(crate) fn at(&self, pos: u32) -> CategoryRef<'_> {
        CategoryRef { index: self, pos }
    }

    pub(crate) fn resolve_pos(
        &self,
        input: &str,
        scratch: &mut String,
    ) -> Result<u32, ResolveError> {
        let trimmed = input.trim();
        if let Some(&pos) = self.by_code.get(trimmed) {
            return Ok(pos);
        }
        fold_path_into(trimmed, scratch);
        match self.by_folded.get(scratch.as_str()) {
            Some((_, Lookup::One(pos))) => Ok(*pos),
            Some((_, Lookup::Ambiguous(all))) => Err(ResolveError::Ambiguous(
                all.iter()
                    .map(|&p| self.path_ru[p as usize].clone())
                    .collect(),
            )),
            None => Err(ResolveError::Unknown),
        }
    }

    /// Distinct attribute codes whose Russian or English name (optionally followed
    /// by its unit) matches `name`, ignoring case, spaces and punctuation. Several
    /// codes come back when categories use the same name for different attributes.
    pub fn attribute_codes_by_name(&self, name: &str) -> &[super::AttributeCode] {
        self.name_keys
            .get(&header_key(name))
            .map_or(&[], Vec::as_slice)
    }

    /// The attribute code whose header key equals `key` (see [`header_key`]).
    pub(crate) fn attribute_code_for_key(&self, key: &str) -> Option<&super::AttributeCode> {
        self.code_keys.get(key)
    }

    pub(crate) fn is_attribute_name_key(&self, key: &str) -> bool {
        self.name_keys.contains_key(key)
    }

    pub(crate) fn attribute_at(&self, loc: AttrLoc) -> &Attribute {
        &self.categories[loc.cat as usize].attributes[loc.attr as usize]
    }

    pub(crate) fn effective_locs(&self, pos: u32) -> &[AttrLoc] {
        &self.effective[pos as usize]
    }

    /// The effective attribute of category `pos` whose code, name or name-with-unit
    /// has header key `key`.
    pub(crate) fn find_attribute_by_key(&self, pos: u32, key: &str) -> Option<AttrLoc> {
        self.effective[pos as usize].iter().copied().find(|l| {
            self.meta[l.cat as usize][l.attr as usize]
                .header_keys
                .iter()
                .any(|k| k == key)
        })
    }

    pub(crate) fn find_attribute_by_code(&self, pos: u32, code: &str) -> Option<AttrLoc> {
        self.effective[pos as usize]
            .iter()
            .copied()
            .find(|l| self.attribute_at(*l).code.as_str() == code)
    }

    /// Matches a cell against an enum attribute's values by code or RU/EN name,
    /// case-insensitively (`ё` = `е`). `scratch` avoids an allocation per call.
    pub(crate) fn match_enum(
        &self,
        loc: AttrLoc,
        input: &str,
        scratch: &mut String,
    ) -> Option<&EnumValue> {
        let k = self.match_enum_index(loc, input, scratch)?;
        self.attribute_at(loc).enum_values().get(k)
    }

    /// As [`Self::match_enum`], giving the value's shared code.
    pub(crate) fn match_enum_code(
        &self,
        loc: AttrLoc,
        input: &str,
        scratch: &mut String,
    ) -> Option<&Arc<str>> {
        let k = self.match_enum_index(loc, input, scratch)?;
        self.meta[loc.cat as usize][loc.attr as usize]
            .enum_codes
            .get(k)
    }

    fn match_enum_index(&self, loc: AttrLoc, input: &str, scratch: &mut String) -> Option<usize> {
        let values = self.attribute_at(loc).enum_values();
        // Most cells hold a code or a name exactly as the schema spells it; comparing
        // is cheaper than folding case. Codes first, so a name never shadows a code.
        if values.len() <= 64 {
            if let Some(k) = values.iter().position(|v| v.code == input) {
                return Some(k);
            }
            if let Some(k) = values
                .iter()
                .position(|v| v.name_ru == input || v.name_en == input)
            {
                return Some(k);
            }
        }
        fold_name_into(input, scratch);
        self.meta[loc.cat as usize][loc.attr as usize]
            .enum_lookup
            .get(scratch.as_str())
            .map(|&k| usize::from(k))
    }
}

fn insert_lookup(map: &mut FastMap<String, (u8, Lookup)>, key: String, prio: u8, pos: u32) {
    if key.is_empty() {
        return;
    }
    match map.entry(key) {
        Entry::Vacant(e) => {
            e.insert((prio, Lookup::One(pos)));
        }
        Entry::Occupied(mut e) => {
            let (have_prio, lookup) = e.get_mut();
            if prio < *have_prio {
                *e.get_mut() = (prio, Lookup::One(pos));
            } else if prio == *have_prio {
                match lookup {
                    Lookup::One(p) if *p == pos => {}
                    Lookup::One(p) => *lookup = Lookup::Ambiguous(vec![*p, pos]),
                    Lookup::Ambiguous(all) => {
                        if !all.contains(&pos) {
                            all.push(pos);
                        }
                    }
                }
            }
        }
    }
}

fn check_attribute(c: &Category, a: &Attribute) -> Result<(), CatalogError> {
    let names = || (c.code.to_string(), a.code.to_string());
    if a.name_ru.trim().is_empty() || a.name_en.trim().is_empty() {
        let (category, attribute) = names();
        return Err(CatalogError::MissingAttributeName {
            category,
            attribute,
        });
    }
    if c.attributes.iter().filter(|b| b.code == a.code).count() > 1 {
        let (category, attribute) = names();
        return Err(CatalogError::DuplicateAttribute {
            category,
            attribute,
        });
    }
    match &a.kind {
        AttributeKind::Enum { values } => {
            if values.is_empty() {
                let (category, attribute) = names();
                return Err(CatalogError::EmptyEnum {
                    category,
                    attribute,
                });
            }
            for (i, v) in values.iter().enumerate() {
                if !super::category::is_enum_value_code(&v.code) {
                    return Err(CatalogError::BadEnumValueCode(v.code.clone()));
                }
                if values[..i].iter().any(|w| w.code == v.code) {
                    let (category, attribute) = names();
                    return Err(CatalogError::DuplicateEnumValue {
                        category,
                        attribute,
                        value: v.code.clone(),
                    });
                }
            }
        }
        AttributeKind::Integer {
            min: Some(min),
            max: Some(max),
            ..
        } if min > max => {
            let (category, attribute) = names();
            return Err(CatalogError::BadRange {
                category,
                attribute,
            });
        }
        AttributeKind::Text { max_len: 0 } => {
            let (category, attribute) = names();
            return Err(CatalogError::BadRange {
                category,
                attribute,
            });
        }
        _ => {}
    }
    Ok(())
}

/// A category inside its [`CategoryIndex`], with the tree around it.
#[derive(Clone, Copy)]
pub struct CategoryRef<'a> {
    index: &'a CategoryIndex,
    pos: u32,
}

impl fmt::Debug for CategoryRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CategoryRef")
            .field(&self.code().as_str())
            .finish()
    }
}

impl PartialEq for CategoryRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.index, other.index) && self.pos == other.pos
    }
}

impl<'a> CategoryRef<'a> {
    pub fn category(&self) -> &'a Category {
        &self.index.categories[self.pos as usize]
    }

    pub fn code(&self) -> &'a CategoryCode {
        &self.category().code
    }

    pub fn name(&self, locale: Locale) -> &'a str {
        self.category().name(locale)
    }

    /// The full path of names from the root, `/`-separated: `Электроника/Смартфоны`.
    pub fn path(&self, locale: Locale) -> &'a str {
        match locale {
            Locale::Ru => &self.index.path_ru[self.pos as usize],
            Locale::En => &self.index.path_en[self.pos as usize],
        }
    }

    pub fn return_window_days(&self) -> u16 {
        self.category().return_window_days
    }

    pub fn parent(&self) -> Option<CategoryRef<'a>> {
        self.index.parent[self.pos as usize].map(|pos| CategoryRef {
            index: self.index,
            pos,
        })
    }

    pub fn children(&self) -> impl Iterator<Item = CategoryRef<'a>> + 'a {
        let index = self.index;
        index.children[self.pos as usize]
            .iter()
            .map(move |&pos| CategoryRef { index, pos })
    }

    /// Leaves are the only categories SKUs may be placed in.
    pub fn is_leaf(&self) -> bool {
        self.index.children[self.pos as usize].is_empty()
    }

    /// Number of ancestors (0 for a root).
    pub fn depth(&self) -> usize {
        std::iter::successors(self.parent(), CategoryRef::parent).count()
    }

    /// The category's own attributes plus those inherited from its ancestors,
    /// root-first.
    pub fn effective_attributes(&self) -> impl Iterator<Item = &'a Attribute> + 'a {
        let index = self.index;
        index.effective[self.pos as usize]
            .iter()
            .map(move |l| index.attribute_at(*l))
    }

    /// The effective attribute with this code.
    pub fn attribute(&self, code: &str) -> Option<&'a Attribute> {
        self.index
            .find_attribute_by_code(self.pos, code)
            .map(|l| self.index.attribute_at(l))
    }

    /// The effective attribute whose code or RU/EN name (optionally with unit)
    /// matches `name`, ignoring case, spaces and punctuation.
    pub fn attribute_by_name(&self, name: &str) -> Option<&'a Attribute> {
        let mut key = String::new();
        header_key_into(name, &mut key);
        self.index
            .find_attribute_by_key(self.pos, &key)
            .map(|l| self.index.attribute_at(l))
    }

    /// Matches `input` against the values of enum attribute `code` by code or RU/EN
    /// name, case-insensitively.
    pub fn find_enum_value(&self, code: &str, input: &str) -> Option<&'a EnumValue> {
        let loc = self.index.find_attribute_by_code(self.pos, code)?;
        let mut scratch = String::new();
        self.index.match_enum(loc, input.trim(), &mut scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::category::{AttributeCode, AttributeKind};

    fn cat(
        code: &str,
        parent: Option<&str>,
        ru: &str,
        en: &str,
        attrs: Vec<Attribute>,
    ) -> Category {
        Category {
            code: CategoryCode::parse(code).unwrap(),
            parent: parent.map(|p| CategoryCode::parse(p).unwrap()),
            name_ru: ru.into(),
            name_en: en.into(),
            return_window_days: 14,
            attributes: attrs,
        }
    }

    fn attr(code: &str, ru: &str, en: &str, kind: AttributeKind) -> Attribute {
        Attribute {
            code: AttributeCode::parse(code).unwrap(),
            name_ru: ru.into(),
            name_en: en.into(),
            kind,
            required: false,
        }
    }

    fn small_tree() -> CategoryIndex {
        CategoryIndex::new(vec![
            cat(
                "electronics",
                None,
                "Электроника",
                "Electronics",
                vec![attr(
                    "warranty_months",
                    "Гарантия",
                    "Warranty",
                    AttributeKind::Integer {
                        min: Some(0),
                        max: None,
                        unit: Some(crate::catalog::Unit::Month),
                    },
                )],
            ),
            cat(
                "smartphones",
                Some("electronics"),
                "Смартфоны",
                "Smartphones",
                vec![attr(
                    "color",
                    "Цвет",
                    "Colour",
                    AttributeKind::Enum {
                        values: vec![EnumValue {
                            code: "black".into(),
                            name_ru: "Чёрный".into(),
                            name_en: "Black".into(),
                        }],
                    },
                )],
            ),
            cat(
                "accessories",
                Some("electronics"),
                "Аксессуары",
                "Accessories",
                vec![],
            ),
            cat("home", None, "Дом", "Home", vec![]),
            cat(
                "home_accessories",
                Some("home"),
                "Аксессуары",
                "Accessories",
                vec![],
            ),
        ])
        .unwrap()
    }

    #[test]
    fn resolves_codes_and_paths_in_both_languages() {
        let idx = small_tree();
        for input in [
            "smartphones",
            "Электроника/Смартфоны",
            "электроника > смартфоны",
            "Electronics\\Smartphones",
            "  ЭЛЕКТРОНИКА /  Смартфоны ",
            "Смартфоны",
            "SMARTPHONES",
        ] {
            assert_eq!(
                idx.resolve(input).map(|c| c.code().as_str()),
                Ok("smartphones"),
                "{input:?}"
            );
        }
        assert_eq!(idx.resolve("Телевизоры"), Err(ResolveError::Unknown));
    }

    #[test]
    fn ambiguous_leaf_names_need_a_full_path() {
        let idx = small_tree();
        assert!(
            matches!(idx.resolve("Аксессуары"), Err(ResolveError::Ambiguous(p)) if p.len() == 2)
        );
        assert_eq!(
            idx.resolve("Дом/Аксессуары").map(|c| c.code().as_str()),
            Ok("home_accessories")
        );
    }

    #[test]
    fn children_inherit_ancestor_attributes_root_first() {
        let idx = small_tree();
        let phone = idx.get("smartphones").unwrap();
        let codes: Vec<&str> = phone
            .effective_attributes()
            .map(|a| a.code.as_str())
            .collect();
        assert_eq!(codes, ["warranty_months", "color"]);
        assert_eq!(phone.path(Locale::Ru), "Электроника/Смартфоны");
        assert_eq!(phone.path(Locale::En), "Electronics/Smartphones");
        assert!(phone.is_leaf());
        assert!(!idx.get("electronics").unwrap().is_leaf());
        assert_eq!(
            phone
                .attribute_by_name("гарантия, мес.")
                .map(|a| a.code.as_str()),
            Some("warranty_months")
        );
        assert_eq!(
            phone
                .find_enum_value("color", "черный")
                .map(|v| v.code.as_str()),
            Some("black")
        );
        assert_eq!(idx.attribute_codes_by_name("Colour").len(), 1);
    }

    #[test]
    fn refuses_broken_trees() {
        let dup = CategoryIndex::new(vec![
            cat("a", None, "А", "A", vec![]),
            cat("a", None, "Б", "B", vec![]),
        ]);
        assert!(matches!(dup, Err(CatalogError::DuplicateCategory(_))));
        let orphan = CategoryIndex::new(vec![cat("a", Some("zzz"), "А", "A", vec![])]);
        assert!(matches!(orphan, Err(CatalogError::UnknownParent { .. })));
        let cycle = CategoryIndex::new(vec![
            cat("a", Some("b"), "А", "A", vec![]),
            cat("b", Some("a"), "Б", "B", vec![]),
        ]);
        assert!(matches!(cycle, Err(CatalogError::Cycle(_))));
        let text = AttributeKind::Text { max_len: 10 };
        let redefined = CategoryIndex::new(vec![
            cat(
                "a",
                None,
                "А",
                "A",
                vec![attr("x", "Икс", "X", text.clone())],
            ),
            cat("b", Some("a"), "Б", "B", vec![attr("x", "Икс", "X", text)]),
        ]);
        assert!(matches!(
            redefined,
            Err(CatalogError::DuplicateAttribute { .. })
        ));
        let twins = CategoryIndex::new(vec![
            cat("a", None, "Дом", "Home", vec![]),
            cat("b", None, "дом", "House", vec![]),
        ]);
        assert!(matches!(
            twins,
            Err(CatalogError::DuplicateSiblingName { .. })
        ));
    }
}
