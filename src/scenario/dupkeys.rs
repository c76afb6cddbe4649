//! Duplicate keys in JSON objects. serde_json keeps the last of two equal keys without a word, so
//! a parameter or setting written twice would be silently overridden; this pass over the bytes
//! finds the first duplicate and the JSON path of the object that holds it.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// The first key that appears twice in one object: (path of the key, key). The bytes must
/// already parse as JSON; anything else returns `None`.
pub fn first_duplicate(bytes: &[u8]) -> Option<(String, String)> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let _ = Walk {
        path: "$".into(),
        found: &mut found,
    }
    .deserialize(&mut de);
    found
}

struct Walk<'a> {
    path: String,
    found: &'a mut Option<(String, String)>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Walk { path, found } = self;
        let mut i = 0;
        while seq
            .next_element_seed(Walk {
                path: format!("{path}[{i}]"),
                found: &mut *found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Walk { path, found } = self;
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = format!("{path}.{key}");
            if !seen.insert(key.clone()) {
                *found = Some((at, key));
                return Err(de::Error::custom("duplicate key"));
            }
            map.next_value_seed(Walk {
                path: at,
                found: &mut *found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_at_any_depth_and_nothing_else() {
        assert_eq!(first_duplicate(br#"{"a": 1, "b": [1, {"c": 2}]}"#), None);
        assert_eq!(
            first_duplicate(br#"{"a": 1, "a": 2}"#),
            Some(("$.a".into(), "a".into()))
        );
        assert_eq!(
            first_duplicate(br#"{"p": {"x": [{"k": 1, "k": 1}]}}"#),
            Some(("$.p.x[0].k".into(), "k".into()))
        );
    }
}
