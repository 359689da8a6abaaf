pub mod change_password;
pub mod get_session;
pub mod login;
pub mod logout;
pub mod set_locale;
pub mod signup;

/// A local path to go to after logging in; anything else (other sites, `//host`)
/// falls back to the role's home, so `next` cannot become an open redirect.
pub fn safe_next(next: Option<&str>, home: &str) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("://") =>
        {
            n.to_string()
        }
        _ => home.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/seller/skus"), "/seller"), "/seller/skus");
        assert_eq!(safe_next(Some("//evil.example"), "/seller"), "/seller");
        assert_eq!(
            safe_next(Some("https://evil.example"), "/seller"),
            "/seller"
        );
        assert_eq!(safe_next(Some("/\\evil.example"), "/seller"), "/seller");
        assert_eq!(safe_next(None, "/admin"), "/admin");
    }
}
