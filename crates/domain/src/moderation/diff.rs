//! What changed between the live content and the revision under review.

use crate::catalog::SkuContent;
use serde::{Deserialize, Serialize};

/// One changed field. `before` is `None` when the SKU has no approved content yet
/// or the field was empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `title`, `description`, `brand`, `category`, `barcode`, `attr:<code>`,
    /// `images`, `weight_g`, `dimensions`.
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Image URLs added and removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// The changes from `live` (if any) to `next`, in form order.
pub fn diff(live: Option<&SkuContent>, next: &SkuContent) -> (Vec<FieldChange>, ImageChanges) {
    let mut out = Vec::new();
    let mut push = |field: &str, before: Option<String>, after: Option<String>| {
        if before != after {
            out.push(FieldChange {
                field: field.to_string(),
                before,
                after,
            });
        }
    };
    push(
        "title",
        live.map(|l| l.title().to_string()),
        Some(next.title().to_string()),
    );
    push(
        "brand",
        live.and_then(|l| l.brand().map(String::from)),
        next.brand().map(String::from),
    );
    push(
        "category",
        live.map(|l| l.category().as_str().to_string()),
        Some(next.category().as_str().to_string()),
    );
    push(
        "description",
        live.and_then(|l| l.description().map(String::from)),
        next.description().map(String::from),
    );
    push(
        "barcode",
        live.and_then(|l| l.barcode().map(|b| b.as_str().to_string())),
        next.barcode().map(|b| b.as_str().to_string()),
    );
    let mut codes: Vec<&str> = next.attributes().iter().map(|a| a.code.as_str()).collect();
    if let Some(l) = live {
        for a in l.attributes() {
            if !codes.contains(&a.code.as_str()) {
                codes.push(a.code.as_str());
            }
        }
    }
    codes.sort_unstable();
    for code in codes {
        push(
            &format!("attr:{code}"),
            live.and_then(|l| l.attribute(code).map(|v| v.as_input())),
            next.attribute(code).map(|v| v.as_input()),
        );
    }
    push(
        "weight_g",
        live.and_then(|l| l.weight_g().map(|w| w.to_string())),
        next.weight_g().map(|w| w.to_string()),
    );
    let dims = |c: &SkuContent| match (c.length_mm(), c.width_mm(), c.height_mm()) {
        (None, None, None) => None,
        (l, w, h) => Some(format!(
            "{}×{}×{}",
            l.map_or("?".into(), |v| v.to_string()),
            w.map_or("?".into(), |v| v.to_string()),
            h.map_or("?".into(), |v| v.to_string())
        )),
    };
    push("dimensions", live.and_then(dims), dims(next));
    let before: Vec<&str> = live
        .map(|l| l.images().iter().map(|i| i.as_str()).collect())
        .unwrap_or_default();
    let after: Vec<&str> = next.images().iter().map(|i| i.as_str()).collect();
    let images = ImageChanges {
        added: after
            .iter()
            .filter(|u| !before.contains(u))
            .map(|u| u.to_string())
            .collect(),
        removed: before
            .iter()
            .filter(|u| !after.contains(u))
            .map(|u| u.to_string())
            .collect(),
    };
    (out, images)
}
