//! Access tokens: every forgery is refused, and keys rotate without logging anyone out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, User};

const KEY_2: &[u8] = b"a-test-signing-key-of-more-than-32-bytes-2";

fn claims(user: &User, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({"sub": user.account_id.to_string(), "role": "admin", "iss": "passerelle",
        "aud": "passerelle-api", "iat": now, "exp": now + 600, "jti": "t"});
    if let (Some(target), Some(extra)) = (claims.as_object_mut(), overrides.as_object()) {
        for (key, value) in extra {
            if value.is_null() {
                target.remove(key);
            } else {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    claims
}

fn sign(alg: Algorithm, kid: Option<&str>, key: &[u8], claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &EncodingKey::from_secret(key)).expect("encode")
}

#[tokio::test]
async fn forged_and_broken_tokens_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    assert_eq!(
        app.get("/api/v1/me", Some(&sign(Algorithm::HS256, Some("test-2"), KEY_2, &claims(&admin, json!({})))))
            .await
            .status(),
        200
    );

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"test-2"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&admin, json!({})).to_string());
    let alg_none = format!("{none_header}.{payload}.");
    let good = sign(Algorithm::HS256, Some("test-2"), KEY_2, &claims(&admin, json!({})));
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(claims(&admin, json!({"role": "committee"})).to_string());
    let tampered = parts.join(".");
    let past = chrono::Utc::now().timestamp() - 3600;
    let cases = [
        ("alg none", alg_none),
        ("HS512", sign(Algorithm::HS512, Some("test-2"), KEY_2, &claims(&admin, json!({})))),
        ("tampered", tampered),
        (
            "expired",
            sign(Algorithm::HS256, Some("test-2"), KEY_2, &claims(&admin, json!({"iat": past - 600, "exp": past}))),
        ),
        ("wrong iss", sign(Algorithm::HS256, Some("test-2"), KEY_2, &claims(&admin, json!({"iss": "someone-else"})))),
        ("wrong aud", sign(Algorithm::HS256, Some("test-2"), KEY_2, &claims(&admin, json!({"aud": "other-api"})))),
        ("no exp", sign(Algorithm::HS256, Some("test-2"), KEY_2, &claims(&admin, json!({"exp": null})))),
        ("unknown kid", sign(Algorithm::HS256, Some("test-9"), KEY_2, &claims(&admin, json!({})))),
        ("no kid", sign(Algorithm::HS256, None, KEY_2, &claims(&admin, json!({})))),
        (
            "wrong key",
            sign(
                Algorithm::HS256,
                Some("test-2"),
                b"another-key-of-more-than-32-bytes-long!",
                &claims(&admin, json!({})),
            ),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in cases {
        let response = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(response.headers().get("www-authenticate").map(|v| v.to_str().unwrap()), Some("Bearer"), "{name}");
        assert_problem(response, 401).await;
    }
    let missing = app.get("/api/v1/me", None).await;
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_problem(missing, 401).await;
}

/// RFC 9110 §11.1: the authentication scheme is case-insensitive.
#[tokio::test]
async fn the_bearer_scheme_is_accepted_in_any_case() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me = |value: String| app.client.get(app.url("/api/v1/me")).header("authorization", value).send();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let response = me(format!("{scheme} {}", admin.token)).await.unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    for value in [format!("Basic {}", admin.token), format!("Bearer{}", admin.token), "BEARER ".to_owned()] {
        assert_problem(me(value.clone()).await.unwrap(), 401).await;
    }
}

#[tokio::test]
async fn a_rotated_key_keeps_old_tokens_valid_until_removed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // A server that knows only the old key signs a token with it.
    let old_only =
        app.sibling(|s| s.auth.signing_keys = Some("test-1:a-test-signing-key-of-more-than-32-bytes-1".into())).await;
    let login = app
        .client
        .post(format!("{old_only}/api/v1/auth/login"))
        .json(&json!({"email": crate::helpers::json(app.get("/api/v1/me", Some(&admin.token)).await).await["email"], "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    let old_token = crate::helpers::json(login).await["access_token"].as_str().unwrap().to_owned();
    // The main app signs with the new key and still accepts the old one.
    assert_eq!(app.get("/api/v1/me", Some(&old_token)).await.status(), 200);
    // Once the old key is removed, its tokens are refused.
    let new_only =
        app.sibling(|s| s.auth.signing_keys = Some("test-2:a-test-signing-key-of-more-than-32-bytes-2".into())).await;
    let refused = app.client.get(format!("{new_only}/api/v1/me")).bearer_auth(&old_token).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let current = app.client.get(format!("{new_only}/api/v1/me")).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(current.status(), 200);
}

#[test]
fn production_password_defaults_are_the_owasp_minimum() {
    let settings = passerelle::config::Settings::default();
    let params = settings.auth.password;
    assert_eq!((params.memory_kib, params.iterations, params.lanes), (19_456, 2, 1));
    let hasher = passerelle::auth::password::PasswordHasher::new(params).unwrap();
    assert!(hasher.hash("a-long-test-password").unwrap().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}
