//! SSRF protection for the URL fetcher: which URLs and resolved addresses pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;

use media::net_policy::{
    FetchPolicy, TargetHost, check_resolved, is_forbidden_host_name, is_forbidden_ip,
    parse_fetch_url, resolve_redirect,
};
use media::{BadUrlReason, MediaError};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn strict() -> FetchPolicy {
    FetchPolicy::strict()
}

fn refusal(url: &str) -> MediaError {
    match parse_fetch_url(url, &strict()) {
        Ok(target) => panic!("{url} was accepted as {target:?}"),
        Err(error) => error,
    }
}

#[test]
fn ordinary_image_urls_pass_and_are_normalised() {
    let target = parse_fetch_url(
        "HTTPS://Cdn.Example.COM/img/photo%201.jpg?w=800#x",
        &strict(),
    )
    .unwrap();
    assert_eq!(
        target.as_str(),
        "https://cdn.example.com/img/photo%201.jpg?w=800#x"
    );
    assert_eq!(target.domain(), Some("cdn.example.com"));
    assert_eq!(target.port(), 443);
    assert!(target.is_https());
    let plain = parse_fetch_url("http://shop.example.ru:80/a.png", &strict()).unwrap();
    assert_eq!(plain.port(), 80);
    let public_ip = parse_fetch_url("http://93.184.216.34/a.png", &strict()).unwrap();
    assert_eq!(public_ip.host(), &TargetHost::Ip(ip("93.184.216.34")));
}

#[test]
fn international_domains_are_accepted_as_punycode() {
    let target = parse_fetch_url("https://пример.рф/фото.jpg", &strict()).unwrap();
    assert_eq!(target.domain(), Some("xn--e1afmkfd.xn--p1ai"));
}

#[test]
fn only_http_and_https_are_allowed() {
    for url in [
        "file:///etc/passwd",
        "ftp://example.com/a.jpg",
        "gopher://example.com:70/",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
    ] {
        assert!(
            matches!(refusal(url), MediaError::ForbiddenScheme { .. }),
            "{url}"
        );
    }
    assert_eq!(
        refusal("//example.com/a.jpg"),
        MediaError::BadUrl {
            reason: BadUrlReason::NotAbsolute
        }
    );
    assert_eq!(
        refusal("http:example.com/a.jpg"),
        MediaError::BadUrl {
            reason: BadUrlReason::NotAbsolute
        }
    );
}

#[test]
fn userinfo_is_refused_including_the_classic_confusion_trick() {
    for url in [
        "http://user:pass@example.com/",
        "http://example.com@127.0.0.1/",
        "http://@example.com/",
    ] {
        assert_eq!(
            refusal(url),
            MediaError::BadUrl {
                reason: BadUrlReason::Userinfo
            },
            "{url}"
        );
    }
}

#[test]
fn backslashes_spaces_and_control_characters_are_refused() {
    for url in [
        "http://example.com\\@127.0.0.1/",
        "http://exa mple.com/",
        "http://example.com/\n",
        " http://example.com/",
        "http://example.com/\u{0}",
    ] {
        assert_eq!(
            refusal(url),
            MediaError::BadUrl {
                reason: BadUrlReason::InvalidCharacters
            },
            "{url:?}"
        );
    }
}

#[test]
fn only_ports_80_and_443_are_allowed() {
    assert_eq!(
        refusal("http://example.com:8080/a.jpg"),
        MediaError::ForbiddenPort { port: 8080 }
    );
    assert_eq!(
        refusal("https://example.com:22/"),
        MediaError::ForbiddenPort { port: 22 }
    );
    assert_eq!(
        refusal("http://example.com:6379/"),
        MediaError::ForbiddenPort { port: 6379 }
    );
    assert!(parse_fetch_url("http://example.com:443/", &strict()).is_ok());
}

#[test]
fn internal_address_literals_are_refused() {
    for url in [
        "http://127.0.0.1/",
        "http://127.1.2.3/",
        "http://10.0.0.5/",
        "http://172.16.0.1/",
        "http://172.31.255.255/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://255.255.255.255/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::127.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[ff02::1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",
    ] {
        assert!(
            matches!(refusal(url), MediaError::ForbiddenAddress { .. }),
            "{url}"
        );
    }
}

#[test]
fn numeric_hosts_in_non_canonical_notation_are_refused() {
    for url in [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.0.1./",
        "http://127.000.000.001/",
        // Decodes to a public address, still refused: the spelling itself is the problem.
        "http://1572395042/",
        "http://１２７.０.０.１/",
    ] {
        assert_eq!(
            refusal(url),
            MediaError::BadUrl {
                reason: BadUrlReason::NonCanonicalAddress
            },
            "{url}"
        );
    }
}

#[test]
fn internal_host_names_are_refused_before_dns() {
    for url in [
        "http://localhost/",
        "http://LOCALHOST./",
        "http://api.localhost/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/",
        "http://redis/",
        "http://printer.local/",
        "http://router.home.arpa/",
    ] {
        assert!(
            matches!(refusal(url), MediaError::ForbiddenHost { .. }),
            "{url}"
        );
    }
    assert_eq!(
        refusal("http://loc%61lhost/"),
        MediaError::BadUrl {
            reason: BadUrlReason::InvalidHost
        }
    );
    assert!(!is_forbidden_host_name("images.example.com"));
}

#[test]
fn every_resolved_address_must_be_public() {
    let policy = strict();
    assert_eq!(
        check_resolved(
            "cdn.example.com",
            &[ip("93.184.216.34"), ip("2606:2800:220:1::")],
            &policy
        ),
        Ok(())
    );
    // One internal address among public ones is enough to refuse (DNS rebinding).
    assert_eq!(
        check_resolved(
            "evil.example.com",
            &[ip("93.184.216.34"), ip("10.1.2.3")],
            &policy
        ),
        Err(MediaError::ForbiddenAddress {
            host: "evil.example.com".into(),
            ip: ip("10.1.2.3")
        })
    );
    assert!(matches!(
        check_resolved("evil.example.com", &[ip("::ffff:127.0.0.1")], &policy),
        Err(MediaError::ForbiddenAddress { .. })
    ));
    assert_eq!(
        check_resolved("nothing.example.com", &[], &policy),
        Err(MediaError::NoAddress {
            host: "nothing.example.com".into()
        })
    );
    assert!(matches!(
        check_resolved("localhost", &[ip("93.184.216.34")], &policy),
        Err(MediaError::ForbiddenHost { .. })
    ));
}

#[test]
fn forbidden_ranges_cover_every_special_purpose_block() {
    let forbidden = [
        "0.1.2.3",
        "10.255.0.1",
        "100.127.255.255",
        "127.0.0.1",
        "169.254.169.254",
        "172.16.5.4",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.0.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::ffff:10.0.0.1",
        "::ffff:0:10.0.0.1",
        "::10.0.0.1",
        "::8.8.8.8",
        "64:ff9b::10.0.0.1",
        "64:ff9b:1::1",
        "100::1",
        "2001::1",
        "2001:2::1",
        "2001:10::1",
        "2001:db8::1",
        "2002:a00:1::",
        "3fff::1",
        "fc00::1",
        "fdff::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff00::1",
        "5f00::1",
    ];
    for text in forbidden {
        assert!(is_forbidden_ip(ip(text)), "{text} should be forbidden");
    }
    let public = [
        "1.1.1.1",
        "8.8.8.8",
        "93.184.216.34",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.169.0.1",
        "198.17.255.255",
        "223.255.255.254",
        "2606:4700::1111",
        "2a00:1450:4010:c05::8a",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ];
    for text in public {
        assert!(!is_forbidden_ip(ip(text)), "{text} should be allowed");
    }
}

#[test]
fn the_allow_list_lets_tests_fetch_from_loopback_on_any_port() {
    let policy = FetchPolicy::from_allow_list(" 127.0.0.1, localhost ,[::1],").unwrap();
    let target = parse_fetch_url("http://127.0.0.1:3000/fixtures/a.jpg", &policy).unwrap();
    assert_eq!(target.port(), 3000);
    assert!(parse_fetch_url("http://[::1]:8080/a.png", &policy).is_ok());
    let named = parse_fetch_url("http://localhost:3000/a.png", &policy).unwrap();
    assert_eq!(
        check_resolved(
            named.domain().unwrap(),
            &[ip("127.0.0.1"), ip("::1")],
            &policy
        ),
        Ok(())
    );
    // An allowed address is allowed whatever name led to it; other internal ones are not.
    assert_eq!(
        check_resolved("fixtures.example.test", &[ip("::ffff:127.0.0.1")], &policy),
        Ok(())
    );
    assert!(check_resolved("fixtures.example.test", &[ip("127.0.0.2")], &policy).is_err());
    assert!(parse_fetch_url("http://127.0.0.2:3000/", &policy).is_err());
    // Schemes and userinfo stay forbidden for allowed hosts.
    assert!(parse_fetch_url("ftp://127.0.0.1/", &policy).is_err());
    assert!(parse_fetch_url("http://a@127.0.0.1/", &policy).is_err());
}

#[test]
fn malformed_allow_list_entries_are_configuration_errors() {
    assert!(FetchPolicy::from_allow_list("127.0.0.1:3000").is_err());
    assert!(FetchPolicy::from_allow_list("http://localhost").is_err());
    assert!(FetchPolicy::from_allow_list("").unwrap().is_strict());
}

#[test]
fn redirects_are_checked_like_the_first_url() {
    let policy = strict();
    let start = parse_fetch_url("https://cdn.example.com/a/b.jpg", &policy).unwrap();
    let relative = resolve_redirect(&start, "../c/d.jpg?x=1", &policy).unwrap();
    assert_eq!(relative.as_str(), "https://cdn.example.com/c/d.jpg?x=1");
    let absolute = resolve_redirect(&start, "http://img.example.org/e.webp", &policy).unwrap();
    assert_eq!(absolute.domain(), Some("img.example.org"));

    assert!(matches!(
        resolve_redirect(&start, "http://169.254.169.254/latest/meta-data/", &policy),
        Err(MediaError::ForbiddenAddress { .. })
    ));
    assert!(matches!(
        resolve_redirect(&start, "//localhost/x", &policy),
        Err(MediaError::ForbiddenHost { .. })
    ));
    assert_eq!(
        resolve_redirect(&start, "//2130706433/x", &policy),
        Err(MediaError::BadUrl {
            reason: BadUrlReason::NonCanonicalAddress
        })
    );
    assert!(matches!(
        resolve_redirect(&start, "file:///etc/passwd", &policy),
        Err(MediaError::ForbiddenScheme { .. })
    ));
    assert_eq!(
        resolve_redirect(&start, "/x\\@127.0.0.1", &policy),
        Err(MediaError::BadUrl {
            reason: BadUrlReason::InvalidCharacters
        })
    );
    assert!(matches!(
        resolve_redirect(&start, "https://cdn.example.com:8443/", &policy),
        Err(MediaError::ForbiddenPort { port: 8443 })
    ));
}

#[test]
fn refusals_explain_themselves_in_both_languages() {
    let error = refusal("http://192.168.0.10/a.jpg");
    assert_eq!(error.code(), "forbidden_address");
    assert!(error.message(domain::Locale::Ru).contains("192.168.0.10"));
    assert!(
        error
            .message(domain::Locale::En)
            .contains("private network")
    );
    let error = refusal("http://0x7f.1/");
    assert_eq!(error.code(), "bad_url");
    assert!(error.message(domain::Locale::En).contains("a.b.c.d"));
}
