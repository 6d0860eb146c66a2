//! Numbers as the API writes them: money and quantities arrive as numbers or numeric strings.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Reads a decimal exactly, plain or scientific (`"1.5e3"`): text with more than 28 decimal
/// places (which `Decimal::from_str` would round away) or beyond ±7.9e28 is refused, never rounded.
fn decimal_from_str<E: de::Error>(s: &str) -> Result<Decimal, E> {
    let t = s.trim();
    Decimal::from_str_exact(t)
        .ok()
        .or_else(|| scientific_exact(t))
        .ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &"a decimal number of at most 28 decimal places"))
}

/// `m e x` as a decimal, or `None` when it does not fit exactly (`Decimal::from_scientific` rounds).
fn scientific_exact(t: &str) -> Option<Decimal> {
    let (mantissa, exponent) = t.split_once(['e', 'E'])?;
    let mut d = Decimal::from_str_exact(mantissa).ok()?.normalize();
    let exponent: i32 = exponent.strip_prefix('+').unwrap_or(exponent).parse().ok()?;
    if d.is_zero() {
        return Some(Decimal::ZERO);
    }
    if exponent >= 0 {
        // Past 10^57 even the smallest mantissa (1e-28) overflows; stop before looping long.
        (exponent <= 57).then_some(())?;
        (0..exponent).try_fold(d, |d, _| d.checked_mul(Decimal::TEN))
    } else {
        let scale = d.scale().checked_add(exponent.unsigned_abs()).filter(|s| *s <= 28)?;
        d.set_scale(scale).ok()?;
        Some(d)
    }
}

/// An amount of money. Read from a JSON number or a numeric string (`14.5` or `"14.50"`), kept
/// as a decimal (never a binary float), written as a JSON number.
///
/// A JSON number reaches the SDK through `f64` and is turned into the shortest decimal that reads
/// back as the same `f64`, which is the text that was sent for any price with up to 15 significant
/// digits.
///
/// ```
/// use narvar_core::Amount;
/// let a: Amount = serde_json::from_str("\"181.17\"").unwrap();
/// let b: Amount = serde_json::from_str("181.17").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "181.17");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Parses a decimal string.
    pub fn parse(s: &str) -> Option<Self> {
        decimal_from_str::<de::value::Error>(s).ok().map(Amount)
    }
    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

impl From<i64> for Amount {
    fn from(v: i64) -> Self {
        Amount(Decimal::from(v))
    }
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Amount;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an amount as a number or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        if !v.is_finite() {
            return Err(E::invalid_value(de::Unexpected::Float(v), &self));
        }
        // `{}` on f64 prints the shortest text that reads back as the same float.
        decimal_from_str(&format!("{v}"))
            .map(Amount)
            .map_err(|_: E| E::invalid_value(de::Unexpected::Float(v), &"an amount within ±7.9e28 of at most 28 decimal places"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        decimal_from_str(v).map(Amount)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AmountVisitor)
    }
}

impl Amount {
    /// The `f64` whose shortest text is this decimal, if there is one: then a JSON number carries
    /// the amount exactly. Every amount read from a JSON number has one, and so has every amount
    /// of at most 15 significant digits.
    fn exact_f64(&self) -> Option<f64> {
        let d = self.0.normalize();
        let (mantissa, scale) = (d.mantissa(), d.scale());
        // Fast path: an integer below 2^53 divided by an exact power of ten is correctly rounded
        // (one IEEE division), and 15 digits always survive the trip back to text.
        let f = if mantissa.unsigned_abs() < 1 << 53 && scale <= 22 {
            mantissa as f64 / POWERS_OF_TEN[scale as usize]
        } else {
            // Rust's float parsing is correctly rounded; `Decimal::to_f64` is not.
            d.to_string().parse::<f64>().ok()?
        };
        let fits = mantissa.unsigned_abs() < 1_000_000_000_000_000
            || decimal_from_str::<de::value::Error>(&format!("{f}")).is_ok_and(|back| back == d);
        (f.is_finite() && fits).then_some(f)
    }
}

/// 10^0 ..= 10^22, every one exact in an `f64`.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
    1e22,
];

/// Written as a JSON number that reads back as the same decimal. An amount no `f64` carries (more
/// than 15-17 significant digits, which only a numeric string can bring) is written as its decimal
/// text in a string, the other form the API takes, so no digit is ever lost.
impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract().is_zero() {
            if let Some(i) = self.0.to_i64() {
                return s.serialize_i64(i);
            }
        }
        match self.exact_f64() {
            Some(f) => s.serialize_f64(f),
            None => s.collect_str(self),
        }
    }
}

impl schemars::JsonSchema for Amount {
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Money: a JSON number or a numeric string; read as a decimal.",
            "anyOf": [ { "type": "number" }, { "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" } ]
        })
    }
}

/// How a [`Count`] is written back: orders use numbers, return labels use strings (`"1"`).
pub trait CountStyle {
    /// Whether the count is written as a JSON string.
    const AS_STRING: bool;
}

/// Counts written as JSON numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AsNumber;
impl CountStyle for AsNumber {
    const AS_STRING: bool = false;
}

/// Counts written as JSON strings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AsString;
impl CountStyle for AsString {
    const AS_STRING: bool = true;
}

/// A whole count read from an integer, an integral float or a numeric string. Signed, so that
/// validation (not decoding) can say "must be at least 1" about a `-2`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Count<S: CountStyle>(pub i64, pub std::marker::PhantomData<S>);

/// An item quantity on orders and shipments, written as a JSON number.
pub type Quantity = Count<AsNumber>;
/// An item quantity on return label requests, written as a JSON string (`"1"`), as the API does.
pub type ReturnQuantity = Count<AsString>;

impl<S: CountStyle> Count<S> {
    /// A count of `n`.
    pub const fn new(n: i64) -> Self {
        Count(n, std::marker::PhantomData)
    }
    /// The count.
    pub fn get(&self) -> i64 {
        self.0
    }
}

impl<S: CountStyle> From<i64> for Count<S> {
    fn from(n: i64) -> Self {
        Self::new(n)
    }
}

struct CountVisitor<S>(std::marker::PhantomData<S>);

impl<'de, S: CountStyle> Visitor<'de> for CountVisitor<S> {
    type Value = Count<S>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count<S>, E> {
        Ok(Count::new(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count<S>, E> {
        i64::try_from(v).map(Count::new).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Count<S>, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Count::new(v as i64))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Count<S>, E> {
        v.trim().parse::<i64>().map(Count::new).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl<'de, S: CountStyle> serde::Deserialize<'de> for Count<S> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CountVisitor(std::marker::PhantomData))
    }
}

impl<S: CountStyle> serde::Serialize for Count<S> {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        if S::AS_STRING {
            s.collect_str(&self.0)
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl<S: CountStyle> schemars::JsonSchema for Count<S> {
    fn schema_name() -> Cow<'static, str> {
        if S::AS_STRING { "ReturnQuantity" } else { "Quantity" }.into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A whole count: an integer or a string holding one.",
            "anyOf": [ { "type": "integer" }, { "type": "string", "pattern": "^-?[0-9]+$" } ]
        })
    }
}

/// A yes/no flag the API writes as the string `"true"`/`"false"`; reads either form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StringBool(pub bool);

impl<'de> serde::Deserialize<'de> for StringBool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false, \"true\" or \"false\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<StringBool, E> {
                Ok(StringBool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StringBool, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => Ok(StringBool(true)),
                    "false" | "0" | "no" | "" => Ok(StringBool(false)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl serde::Serialize for StringBool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0 { "true" } else { "false" })
    }
}

impl schemars::JsonSchema for StringBool {
    fn schema_name() -> Cow<'static, str> {
        "StringBool".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A flag: a boolean or the string \"true\"/\"false\".",
            "anyOf": [ { "type": "boolean" }, { "type": "string", "enum": ["true", "false"] } ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_counts_accept_both_forms() {
        let a: Amount = serde_json::from_str("31.9").unwrap();
        assert_eq!(a, Amount::parse("31.90").unwrap());
        assert_eq!(serde_json::to_string(&a).unwrap(), "31.9");
        assert_eq!(serde_json::to_string(&Amount::from(3)).unwrap(), "3");
        let q: ReturnQuantity = serde_json::from_str("2").unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), "\"2\"");
        let q: Quantity = serde_json::from_str("\" 4 \"").unwrap();
        assert_eq!(q.get(), 4);
        assert!(serde_json::from_str::<Quantity>("1.5").is_err());
        assert!(serde_json::from_str::<Amount>("\"abc\"").is_err());
    }
}
