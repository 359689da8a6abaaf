//! Server functions called by resources during server rendering, kept in the request.
//!
//! A page is rendered more than once on the server (the session gate re-renders its
//! children as it resolves), and a resource of a discarded pass may start its fetch
//! after its reactive owner is gone. A server function started then cannot find the
//! request (`ServerContext missing`), fails, and its serialized error is what the
//! browser may hydrate with. [`RequestScope`] captures the request's context while
//! the component body runs (the owner is alive then) and runs the fetch inside it.

use std::future::Future;

/// The request's context, captured in a component body; nothing in the browser.
#[derive(Clone)]
pub struct RequestScope {
    #[cfg(feature = "ssr")]
    captured: Option<Captured>,
}

#[cfg(feature = "ssr")]
#[derive(Clone)]
struct Captured {
    server: crate::ssr::ServerContext,
    parts: http::request::Parts,
    response: Option<leptos_axum::ResponseOptions>,
}

impl RequestScope {
    /// Call in the component body, not in a fetcher.
    pub fn capture() -> Self {
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::use_context;
            let captured = match (
                use_context::<crate::ssr::ServerContext>(),
                use_context::<http::request::Parts>(),
            ) {
                (Some(server), Some(parts)) => Some(Captured {
                    server,
                    parts,
                    response: use_context::<leptos_axum::ResponseOptions>(),
                }),
                _ => None,
            };
            RequestScope { captured }
        }
        #[cfg(not(feature = "ssr"))]
        RequestScope {}
    }

    /// Runs `fut` (a server function call) with the captured request context.
    pub fn run<F: Future>(&self, fut: F) -> impl Future<Output = F::Output> + use<F> {
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::{Owner, provide_context};
            use leptos::reactive::computed::ScopedFuture;
            let owner = Owner::new();
            if let Some(c) = self.captured.clone() {
                owner.with(|| {
                    provide_context(c.server);
                    provide_context(c.parts);
                    if let Some(r) = c.response {
                        provide_context(r);
                    }
                });
            }
            owner.with(|| ScopedFuture::new_untracked(fut))
        }
        #[cfg(not(feature = "ssr"))]
        fut
    }
}
