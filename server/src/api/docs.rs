//! A human-readable page for the OpenAPI document, rendered on the server from the
//! same document `/api/v1/openapi.json` serves (no external scripts or fonts).

use axum::response::Html;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{RefOr, Schema};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn docs_page() -> Html<String> {
    Html(render(&super::openapi()))
}

fn render(doc: &utoipa::openapi::OpenApi) -> String {
    let mut body = String::new();
    body.push_str(&format!(
        "<h1 class=\"page-title\">{}</h1><p class=\"muted\">{}</p>\
         <p><a class=\"btn btn-secondary btn-sm\" href=\"/api/v1/openapi.json\">openapi.json</a></p>",
        esc(&doc.info.title),
        esc(doc.info.description.as_deref().unwrap_or_default())
    ));
    for (path, item) in &doc.paths.paths {
        let ops: [(&str, &Option<Operation>); 5] = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            body.push_str(&operation(method, path, op));
        }
    }
    if let Some(components) = &doc.components {
        body.push_str("<h2>Schemas</h2>");
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            body.push_str(&format!(
                "<div class=\"card\" id=\"schema-{0}\"><div class=\"card-header\"><h3 class=\"card-title mono\">{0}</h3></div>\
                 <div class=\"card-body\"><pre class=\"code-block\">{1}</pre></div></div>",
                esc(name),
                esc(&json)
            ));
        }
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Bazaar API</title><link rel=\"stylesheet\" href=\"/pkg/bazaar.css\"><link rel=\"icon\" href=\"/favicon.svg\"></head>\
         <body><main class=\"main\" style=\"max-width:60rem;margin:0 auto\"><div class=\"page-body stack\">{body}</div></main></body></html>"
    )
}

fn operation(method: &str, path: &str, op: &Operation) -> String {
    let mut out = format!(
        "<div class=\"card\"><div class=\"card-header\"><h2 class=\"card-title\"><span class=\"badge badge-info\">{method}</span> \
         <code>{}</code></h2></div><div class=\"card-body stack\">",
        esc(path)
    );
    if let Some(summary) = &op.summary {
        out.push_str(&format!("<p><strong>{}</strong></p>", esc(summary)));
    }
    if let Some(d) = &op.description {
        out.push_str(&format!("<p>{}</p>", esc(d)));
    }
    if let Some(params) = &op.parameters
        && !params.is_empty()
    {
        out.push_str("<table class=\"table\"><thead><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr></thead><tbody>");
        for p in params {
            let place = match p.parameter_in {
                ParameterIn::Path => "path",
                ParameterIn::Query => "query",
                ParameterIn::Header => "header",
                ParameterIn::Cookie => "cookie",
            };
            let required = matches!(p.required, utoipa::openapi::Required::True);
            out.push_str(&format!(
                "<tr><td class=\"mono\">{}</td><td>{place}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.name),
                if required { "yes" } else { "no" },
                esc(p.description.as_deref().unwrap_or_default())
            ));
        }
        out.push_str("</tbody></table>");
    }
    if let Some(body) = &op.request_body {
        for (ct, content) in &body.content {
            out.push_str(&format!(
                "<p>Request body <code>{}</code>: {}</p>",
                esc(ct),
                schema_ref(&content.schema)
            ));
        }
    }
    out.push_str("<table class=\"table\"><thead><tr><th>Status</th><th>Description</th><th>Body</th></tr></thead><tbody>");
    for (status, resp) in &op.responses.responses {
        let (desc, body) = match resp {
            RefOr::T(r) => (
                r.description.clone(),
                r.content
                    .values()
                    .next()
                    .map(|c| schema_ref(&c.schema))
                    .unwrap_or_default(),
            ),
            RefOr::Ref(r) => (r.ref_location.clone(), String::new()),
        };
        out.push_str(&format!(
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{body}</td></tr>",
            esc(status),
            esc(&desc)
        ));
    }
    out.push_str("</tbody></table></div></div>");
    out
}

fn schema_ref(schema: &Option<RefOr<Schema>>) -> String {
    match schema {
        Some(RefOr::Ref(r)) => {
            let name = r.ref_location.rsplit('/').next().unwrap_or_default();
            format!("<a href=\"#schema-{0}\" class=\"mono\">{0}</a>", esc(name))
        }
        Some(RefOr::T(s)) => format!(
            "<code>{}</code>",
            esc(&serde_json::to_string(s).unwrap_or_default())
        ),
        None => String::new(),
    }
}
