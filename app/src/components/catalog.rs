//! Pieces shared by the catalog and import screens: status badges, the category tree
//! rebuilt in the browser, and SKU links.

use crate::session::use_locale;
use domain::catalog::{Category, CategoryIndex, CategoryNode, RevisionStatus, SkuStatus};
use domain::imports::ImportStatus;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn SkuStatusBadge(status: SkuStatus) -> impl IntoView {
    let l = use_locale();
    let class = match status {
        SkuStatus::Active => "badge badge-success",
        SkuStatus::PendingModeration => "badge badge-warning",
        SkuStatus::Rejected | SkuStatus::Blocked => "badge badge-danger",
        SkuStatus::Draft | SkuStatus::Archived => "badge badge-neutral",
    };
    view! { <span class=class data-status=status.as_str()>{status.label(l)}</span> }
}

#[component]
pub fn RevisionStatusBadge(status: RevisionStatus) -> impl IntoView {
    let l = use_locale();
    let class = match status {
        RevisionStatus::Approved => "badge badge-success",
        RevisionStatus::Pending => "badge badge-warning",
        RevisionStatus::Rejected => "badge badge-danger",
        RevisionStatus::Superseded => "badge badge-neutral",
    };
    view! { <span class=class data-status=status.as_str()>{status.label(l)}</span> }
}

#[component]
pub fn ImportStatusBadge(status: ImportStatus) -> impl IntoView {
    let l = use_locale();
    let class = match status {
        ImportStatus::Succeeded => "badge badge-success",
        ImportStatus::Running => "badge badge-info",
        ImportStatus::Queued => "badge badge-neutral",
        ImportStatus::Failed => "badge badge-danger",
    };
    view! { <span class=class data-status=status.as_str()>{status.label(l)}</span> }
}

/// The category tree sent by the server, rebuilt into the same index the server
/// validates with, and its depth-first list for select boxes.
#[derive(Clone)]
pub struct Tree {
    pub index: Arc<CategoryIndex>,
    pub nodes: Arc<Vec<CategoryNode>>,
}

impl Tree {
    /// `None` when the server's tree does not build (it always should: the server
    /// checks every change).
    pub fn new(categories: Vec<Category>) -> Option<Tree> {
        let index = CategoryIndex::new(categories).ok()?;
        let nodes = domain::catalog::category_nodes(&index);
        Some(Tree {
            index: Arc::new(index),
            nodes: Arc::new(nodes),
        })
    }

    /// Leaves (where SKUs go) with their path in `l`.
    pub fn leaves(&self, l: domain::Locale) -> Vec<(String, String)> {
        self.nodes
            .iter()
            .filter(|n| n.is_leaf)
            .map(|n| (n.code.clone(), l.pick(&n.path_ru, &n.path_en).to_string()))
            .collect()
    }

    /// The path of `code` in `l`, or the code itself when unknown.
    pub fn path(&self, code: &str, l: domain::Locale) -> String {
        self.nodes
            .iter()
            .find(|n| n.code == code)
            .map(|n| l.pick(&n.path_ru, &n.path_en).to_string())
            .unwrap_or_else(|| code.to_string())
    }
}

/// Percent-encodes one path segment (everything but unreserved characters).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` sequences left in a path parameter (the browser's router decodes
/// less than the server's does).
pub fn decode_segment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(h), Some(l)) if hex(*h).is_some() && hex(*l).is_some() => {
                let v = hex(*h).unwrap_or(0) * 16 + hex(*l).unwrap_or(0);
                out.push(v as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The address of a SKU's page.
pub fn sku_href(seller_sku: &str) -> String {
    format!("/seller/catalog/{}", encode_segment(seller_sku))
}

/// A byte count for people: `1.2 MB`.
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{:.1} KB", b as f64 / KB as f64),
        b => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip() {
        for s in ["A-1", "КЕПКА/42 x", "100%"] {
            assert_eq!(decode_segment(&encode_segment(s)), s);
        }
        assert_eq!(sku_href("a/b"), "/seller/catalog/a%2Fb");
    }
}
