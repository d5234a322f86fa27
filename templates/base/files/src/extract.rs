//! Extractors whose rejections use the API's error envelope.

use std::fmt;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Number, Value};

use crate::error::{AppError, FieldErrors};

/// `axum::Json`, except that a malformed body is answered with the error envelope
/// (400 for broken JSON, 422 for the wrong shape, 415 without a JSON content type,
/// 413 when too large), and a request body must be a JSON object that names no key twice
/// and holds no NUL character in any string (see `StrictValue`). Use it for both request
/// and response bodies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read as a value first because serde's derived structs also accept an array of their
        // fields in order, so `[null, null]` would pass for `{"name": null, "description":
        // null}`. Bodies are small, and parsing one twice costs microseconds.
        let axum::Json(StrictValue(value)) =
            axum::Json::<StrictValue>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(AppError::Validation(
                "the body must be a JSON object".to_owned(),
            ));
        }
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|error| {
                // A value of the wrong type is a 422 naming its field; a body of the wrong
                // shape (a missing or unknown key) names it in the message.
                let field = error.path().to_string();
                let message = error.into_inner().to_string();
                if field == "." {
                    return AppError::Validation(message);
                }
                let mut errors = FieldErrors::new();
                errors.add(field, message);
                AppError::InvalidFields(errors)
            })
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, except that a query string that cannot be read is answered with
/// the error envelope, whose message names the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// A JSON value read strictly, for every request body in one place:
///
/// - a key given twice in one object is refused (a 422 naming the key) rather than letting the
///   last one win: a proxy or a log that reads the first would otherwise see a different
///   request from the one the handler acts on;
/// - a NUL character in a string or a key is refused (a 422 naming the field), since
///   PostgreSQL cannot store one in `text` and would fail the query with a 500.
///
/// serde_json's own `Value` accepts both, so this is its visitor with the two checks.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Self)
    }
}

struct StrictVisitor;

fn text<E: de::Error>(value: &str) -> Result<(), E> {
    if value.contains('\0') {
        Err(E::custom("must not contain a NUL character"))
    } else {
        Ok(())
    }
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        text(value)?;
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        text(&value)?;
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(deserializer).map(|StrictValue(value)| value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            text(&key)?;
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(body: &str) -> Result<Value, String> {
        serde_json::from_str::<StrictValue>(body)
            .map(|StrictValue(value)| value)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn a_well_formed_body_reads_as_serde_json_reads_it() {
        let body = r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": "\u00e9"}}"#;

        assert_eq!(read(body), Ok(serde_json::from_str::<Value>(body).unwrap()));
    }

    #[test]
    fn a_key_given_twice_is_refused_and_named() {
        let error = read(r#"{"name": "a", "name": "b"}"#).unwrap_err();

        assert!(error.contains("duplicate key `name`"), "{error}");
    }

    #[test]
    fn the_same_key_in_two_objects_is_no_duplicate() {
        assert_eq!(
            read(r#"{"a": {"x": 1}, "b": {"x": 2}}"#),
            Ok(json!({"a": {"x": 1}, "b": {"x": 2}}))
        );
    }

    #[test]
    fn a_nul_character_in_a_string_or_a_key_is_refused() {
        for body in [
            r#"{"name": "a\u0000b"}"#,
            r#"{"a": ["\u0000"]}"#,
            r#"{"a\u0000": 1}"#,
        ] {
            let error = read(body).unwrap_err();

            assert!(error.contains("NUL"), "{body}: {error}");
        }
    }
}
