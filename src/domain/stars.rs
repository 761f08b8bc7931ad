use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rating of 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Stars(u8);

impl Stars {
    pub const ALL: [u8; 5] = [1, 2, 3, 4, 5];

    pub fn new(value: i64) -> Option<Self> {
        (1..=5).contains(&value).then_some(Self(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// Written by hand so that `4.5`, `"5"`, `null` and `6` all get the same plain message,
/// rather than serde's talk of u8 and floating point.
impl<'de> Deserialize<'de> for Stars {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StarsVisitor;

        impl Visitor<'_> for StarsVisitor {
            type Value = Stars;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer from 1 to 5")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Stars, E> {
                Stars::new(v).ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
            }

            /// JSON has one number type: `4.0` is the integer 4 (JSON Schema agrees), `4.5` is not.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Stars, E> {
                let whole = v.fract() == 0.0 && (1.0..=5.0).contains(&v);
                let stars = whole.then(|| Stars::new(v as i64)).flatten();
                stars.ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Stars, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(Stars::new)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }

        deserializer.deserialize_i64(StarsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_five_are_stars() {
        for n in 1..=5 {
            let stars: Stars = serde_json::from_str(&n.to_string()).unwrap();
            assert_eq!(i64::from(stars.get()), n);
        }
    }

    #[test]
    fn everything_else_is_refused_with_the_rule() {
        for bad in [
            "0",
            "6",
            "-1",
            "4.5",
            "\"5\"",
            "null",
            "true",
            "[5]",
            "18446744073709551615",
        ] {
            let err = serde_json::from_str::<Stars>(bad).unwrap_err().to_string();
            assert!(err.contains("an integer from 1 to 5"), "{bad}: {err}");
        }
    }
}
