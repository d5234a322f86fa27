//! Fixed test keys (generated once with openssl, for tests only) and token signing.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, AlgorithmFamily, EncodingKey, Header, encode};
use serde_json::{Value, json};

pub const RSA_KID: &str = "test-rsa";
pub const EC_KID: &str = "test-ec";

const RSA_PRIVATE_PEM: &str = include_str!("fixtures/rsa_private.pem");
pub const RSA_PUBLIC_PEM: &str = include_str!("fixtures/rsa_public.pem");
const EC_PRIVATE_PEM: &str = include_str!("fixtures/ec_private.pem");

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PRIVATE_PEM.as_bytes()).expect("RSA test key")
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).expect("EC test key")
}

/// Seconds since the epoch, as `exp`, `nbf` and `iat` count them.
pub fn now() -> i64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(elapsed.as_secs()).unwrap()
}

/// A token signed with the test key of `alg`'s family, naming `kid` in its header.
pub fn sign(claims: &Value, alg: Algorithm, kid: &str) -> String {
    let key = match alg.family() {
        AlgorithmFamily::Rsa => rsa_key(),
        AlgorithmFamily::Ec => ec_key(),
        family => panic!("no test key for {family:?}"),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    encode(&header, claims, &key).expect("token signs")
}

/// An HS256 token signed with `secret`, naming `kid` in its header.
pub fn sign_with_secret(claims: &Value, secret: &[u8], kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &EncodingKey::from_secret(secret)).expect("token signs")
}

/// The JWKS publishing both public test keys, as a provider would serve it.
pub fn jwks() -> Value {
    let public = |key: &EncodingKey, alg: Algorithm, kid: &str| {
        let mut jwk = Jwk::from_encoding_key(key, alg).expect("public JWK");
        jwk.common.key_id = Some(kid.to_owned());
        jwk
    };
    json!({"keys": [
        public(&rsa_key(), Algorithm::RS256, RSA_KID),
        public(&ec_key(), Algorithm::ES256, EC_KID),
    ]})
}
