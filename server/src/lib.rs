//! The Bazaar server as a library: the binary (`src/main.rs`) and the integration
//! tests build the same router.

#![recursion_limit = "256"]

pub mod api;
pub mod cli;
pub mod demo_images;
pub mod files;
pub mod http;
pub mod images;
pub mod moderation;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod workers;
