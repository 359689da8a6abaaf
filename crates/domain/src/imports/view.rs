//! What sellers see of an import: its mode, status, counts and progress, shared by the
//! REST API, the cabinet and the browser.

use super::sniff::{Delimiter, SourceEncoding};
use super::validate::RejectedRowView;
use crate::Locale;
use crate::ids::ImportId;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What to do with the valid rows when some rows fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Apply every valid row and report the others (the default).
    #[default]
    ApplyValid,
    /// Check the whole file first; apply nothing if any row fails.
    AllOrNothing,
}

/// Where an import is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// Which pass over the file an import is making. `apply_valid` imports make one
/// `apply` pass; `all_or_nothing` imports `validate` the whole file first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    Validate,
    Apply,
}

macro_rules! text_enum {
    ($t:ty, $($v:ident => $s:literal),+ $(,)?) => {
        impl $t {
            pub const fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($s => Ok(<$t>::$v),)+
                    other => Err(format!("unknown value {other:?}")),
                }
            }
        }
    };
}

text_enum!(ImportMode, ApplyValid => "apply_valid", AllOrNothing => "all_or_nothing");
text_enum!(ImportStatus, Queued => "queued", Running => "running", Succeeded => "succeeded", Failed => "failed");
text_enum!(ImportPhase, Validate => "validate", Apply => "apply");

impl ImportMode {
    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            ImportMode::ApplyValid => {
                locale.pick("Загрузить правильные строки", "Apply the valid rows")
            }
            ImportMode::AllOrNothing => locale.pick("Всё или ничего", "All or nothing"),
        }
    }

    /// The pass an import of this mode starts with.
    pub const fn first_phase(self) -> ImportPhase {
        match self {
            ImportMode::ApplyValid => ImportPhase::Apply,
            ImportMode::AllOrNothing => ImportPhase::Validate,
        }
    }
}

impl ImportStatus {
    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            ImportStatus::Queued => locale.pick("В очереди", "Queued"),
            ImportStatus::Running => locale.pick("Выполняется", "Running"),
            ImportStatus::Succeeded => locale.pick("Завершён", "Succeeded"),
            ImportStatus::Failed => locale.pick("Ошибка", "Failed"),
        }
    }

    pub const fn is_finished(self) -> bool {
        matches!(self, ImportStatus::Succeeded | ImportStatus::Failed)
    }
}

/// Row counts of an import. `total` counts every data row read (blank rows
/// excluded); `failed` the rejected ones; the rest are created, updated or unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportCounts {
    pub total: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: u64,
}

/// One import as the seller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: ImportId,
    pub file_name: String,
    pub size_bytes: u64,
    pub mode: ImportMode,
    pub status: ImportStatus,
    pub phase: ImportPhase,
    pub counts: ImportCounts,
    /// Bytes of the file read by the current pass.
    pub processed_bytes: u64,
    /// 0–100 over the whole import (both passes of an all-or-nothing import).
    pub progress_percent: u8,
    pub encoding: Option<SourceEncoding>,
    pub delimiter: Option<Delimiter>,
    /// Why the import failed as a whole (not row problems), machine code and message.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at_ms: i64,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
}

/// Progress over the whole import, 0–100: one pass for `apply_valid`, two equal
/// halves for `all_or_nothing`. Finished imports are at 100.
pub fn progress_percent(
    status: ImportStatus,
    mode: ImportMode,
    phase: ImportPhase,
    processed_bytes: u64,
    size_bytes: u64,
) -> u8 {
    if status.is_finished() {
        return 100;
    }
    let pass = if size_bytes == 0 {
        0
    } else {
        (u128::from(processed_bytes.min(size_bytes)) * 100 / u128::from(size_bytes)) as u64
    };
    let overall = match (mode, phase) {
        (ImportMode::ApplyValid, _) => pass,
        (ImportMode::AllOrNothing, ImportPhase::Validate) => pass / 2,
        (ImportMode::AllOrNothing, ImportPhase::Apply) => 50 + pass / 2,
    };
    // Never show 100 % for an import that is still running.
    overall.min(99) as u8
}

/// One rejected row of an import for the API and the cabinet: the row's problems
/// and the cells as the seller wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportErrorView {
    #[serde(flatten)]
    pub row: RejectedRowView,
    pub cells: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_covers_both_passes_of_an_all_or_nothing_import() {
        use ImportMode::*;
        use ImportPhase::*;
        let running = ImportStatus::Running;
        assert_eq!(progress_percent(running, ApplyValid, Apply, 50, 200), 25);
        assert_eq!(
            progress_percent(running, AllOrNothing, Validate, 100, 200),
            25
        );
        assert_eq!(progress_percent(running, AllOrNothing, Apply, 100, 200), 75);
        assert_eq!(progress_percent(running, ApplyValid, Apply, 200, 200), 99);
        assert_eq!(progress_percent(running, ApplyValid, Apply, 0, 0), 0);
        assert_eq!(
            progress_percent(ImportStatus::Succeeded, AllOrNothing, Validate, 0, 200),
            100
        );
    }

    #[test]
    fn modes_and_statuses_round_trip_as_text() {
        for m in [ImportMode::ApplyValid, ImportMode::AllOrNothing] {
            assert_eq!(m.as_str().parse::<ImportMode>(), Ok(m));
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{m}\""));
        }
        for s in [
            ImportStatus::Queued,
            ImportStatus::Running,
            ImportStatus::Succeeded,
            ImportStatus::Failed,
        ] {
            assert_eq!(s.as_str().parse::<ImportStatus>(), Ok(s));
        }
        assert!("sometimes".parse::<ImportMode>().is_err());
    }
}
