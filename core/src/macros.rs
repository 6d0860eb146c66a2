//! The two macros every model is written with.
//!
//! `model!` writes a struct whose unknown JSON fields are kept in `extra` and round-trip, whose
//! known fields are all optional on the wire (a missing or `null` field becomes its default, so
//! validation — not decoding — reports what is missing, with every field path at once), and whose
//! `Deserialize` is a single pass over the map: serde's `#[serde(flatten)]` would buffer every
//! object first and double the cost of reading a large order.
//!
//! `open_enum!` writes an enum whose unknown values are kept in `Other(String)`.

/// The wire name of a field: its Rust name unless `as "wire-name"` was given.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_name {
    ($f:ident) => {
        stringify!($f)
    };
    ($f:ident, $w:literal) => {
        $w
    };
}

/// Declares a model struct. See the module docs.
///
/// ```
/// narvar_core::model! {
///     /// A parcel dimension.
///     pub struct Box3 {
///         pub length: Option<f64>,
///         pub kind as "type": Option<String>,
///     }
/// }
/// let b: Box3 = serde_json::from_str(r#"{"length": 2, "type": "crate", "colour": "red"}"#).unwrap();
/// assert_eq!(b.kind.as_deref(), Some("crate"));
/// assert_eq!(b.extra["colour"], "red");
/// assert_eq!(serde_json::to_string(&b).unwrap(), r#"{"length":2.0,"type":"crate","colour":"red"}"#);
/// ```
#[macro_export]
macro_rules! model {
    (
        $(@finish($finish:path))?
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident $(as $wire:literal)? : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, ::schemars::JsonSchema)]
        // Every field may be absent or null when read (validation says what a request needs).
        #[serde(default)]
        #[schemars(transform = $crate::schema::null_as_default)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $(#[serde(rename = $wire)])?
                pub $field: $ty,
            )*
            /// Fields this version of the SDK does not know; kept so they round-trip.
            #[serde(flatten)]
            pub extra: $crate::models::Extra,
        }

        impl $crate::models::Misspellings for $name {
            fn misspellings(&self, at: &$crate::drift::Path<'_>, out: &mut ::std::vec::Vec<$crate::FieldError>) {
                const KNOWN: &[&str] = &[$($crate::__wire_name!($field $(, $wire)?)),*];
                $crate::models::misspelt_keys(&self.extra, KNOWN, at, out);
                $(
                    $crate::models::Misspellings::misspellings(
                        &self.$field,
                        &$crate::drift::Path::Field(at, $crate::__wire_name!($field $(, $wire)?)),
                        out,
                    );
                )*
            }
        }

        impl $crate::drift::Drift for $name {
            fn drift(&self, at: &$crate::drift::Path<'_>, out: &mut ::std::vec::Vec<$crate::drift::Unknown>) {
                $crate::drift::unknown_fields(&self.extra, at, out);
                $(
                    $crate::drift::Drift::drift(
                        &self.$field,
                        &$crate::drift::Path::Field(at, $crate::__wire_name!($field $(, $wire)?)),
                        out,
                    );
                )*
            }
        }

        $crate::__model_serde! {
            $(@finish($finish))?
            $name { $($field $(as $wire)? : $ty),* }
        }
    };
}

/// A model's `Serialize` and `Deserialize`, as `model!` describes them (also used by the carrier
/// credentials, whose unknown fields are secret): fields written unless absent, then the unknown
/// ones; read in one pass, `null` as the field's default, unknown keys into `extra`.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_serde {
    (
        $(@finish($finish:path))?
        $name:ident { $($field:ident $(as $wire:literal)? : $ty:ty),* }
    ) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if !$crate::models::WireField::is_absent(&self.$field) {
                        map.serialize_entry($crate::__wire_name!($field $(, $wire)?), &self.$field)?;
                    }
                )*
                for (key, value) in self.extra.iter() {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                struct Fields;
                impl<'de> ::serde::de::Visitor<'de> for Fields {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter) -> ::core::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::core::result::Result<$name, A::Error> {
                        #[allow(unused_mut)]
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::models::Key<'de>>()? {
                            match key.as_str() {
                                $(
                                    $crate::__wire_name!($field $(, $wire)?) => {
                                        out.$field = <$ty as $crate::models::WireField>::read_value(&mut map)?;
                                    }
                                )*
                                _ => {
                                    let value: ::serde_json::Value = map.next_value()?;
                                    out.extra.insert(key.into_string(), value);
                                }
                            }
                        }
                        $( $finish(&mut out); )?
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }

        impl $crate::codec::EncodeFields for $name {
            fn encode_fields(&self, object: &mut $crate::codec::Object<'_>) {
                $( object.field($crate::__wire_name!($field $(, $wire)?), &self.$field); )*
                object.extra(&self.extra);
            }
        }

        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut ::std::vec::Vec<u8>) {
                let mut object = $crate::codec::Object::open(out);
                $crate::codec::EncodeFields::encode_fields(self, &mut object);
                object.close();
            }
        }

        impl $crate::codec::Decode for $name {
            fn decode(value: &$crate::codec::Raw<'_>, at: &$crate::codec::Level<'_>) -> ::core::result::Result<Self, ::serde_json::Error> {
                const KNOWN: &[&str] = &[$($crate::__wire_name!($field $(, $wire)?)),*];
                #[allow(unused_mut)]
                let mut out = $name::default();
                for (key, value) in $crate::codec::entries(value, concat!("a ", stringify!($name), " object"))? {
                    // The key's place among the fields (one shared search, not each model's own
                    // comparisons with every name), then the field at that place.
                    let found = $crate::codec::position(KNOWN, key);
                    let mut i = 0;
                    $(
                        if found == i {
                            $crate::codec::field(&mut out.$field, value, at, key)?;
                            continue;
                        }
                        i += 1;
                    )*
                    let _ = i; // the count's last step is not read
                    $crate::codec::keep(&mut out.extra, key, value);
                }
                $( $finish(&mut out); )?
                Ok(out)
            }
        }
    };
}

/// Declares an open string enum: known values get variants, anything else is kept in `Other`.
///
/// ```
/// narvar_core::open_enum! {
///     /// A label format.
///     pub enum Format { Pdf = "PDF", Png = "PNG" }
/// }
/// let f: Format = serde_json::from_str("\"ZPL\"").unwrap();
/// assert_eq!(f, Format::Other("ZPL".into()));
/// assert_eq!(serde_json::to_string(&f).unwrap(), "\"ZPL\"");
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )*
            /// A value this version of the SDK does not know, kept exactly as received.
            Other(::std::string::String),
        }

        impl $name {
            /// Every value this version of the SDK knows, as sent on the wire.
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];

            /// Reads a wire value; an unknown one becomes `Other`.
            pub fn parse(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(other) => other,
                }
            }

            /// Whether this value is one the SDK knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl $crate::models::Misspellings for $name {}

        impl $crate::drift::Drift for $name {
            fn drift(&self, at: &$crate::drift::Path<'_>, out: &mut ::std::vec::Vec<$crate::drift::Unknown>) {
                if let Self::Other(value) = self {
                    out.push($crate::drift::Unknown {
                        kind: $crate::drift::DriftKind::EnumValue,
                        path: at.render(),
                        value: Some(value.clone()),
                    });
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let key = <$crate::models::Key<'de> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::parse(key.as_str()))
            }
        }

        impl $crate::codec::Encode for $name {
            fn encode(&self, out: &mut ::std::vec::Vec<u8>) {
                $crate::codec::open_enum(self.as_str(), out)
            }
        }

        impl $crate::codec::Decode for $name {
            fn decode(value: &$crate::codec::Raw<'_>, _: &$crate::codec::Level<'_>) -> ::core::result::Result<Self, ::serde_json::Error> {
                $crate::codec::open_enum_text(value).map(Self::parse)
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": "Open enum: a known value, or any other string (kept as sent).",
                    "anyOf": [
                        { "type": "string", "enum": [$($wire),*] },
                        { "type": "string" }
                    ]
                })
            }
        }
    };
}
