//! The Bazaar server as a library: the binary (`src/main.rs`) and the integration
//! tests build the same router.

pub mod api;
pub mod cli;
pub mod files;
pub mod http;
pub mod images;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod workers;
