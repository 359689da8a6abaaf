//! The browser entry: hydrates the server-rendered HTML.

// The cabinet's view types nest deeply; laying out their hydration futures in the
// size-optimised release build needs more than the default depth of 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
