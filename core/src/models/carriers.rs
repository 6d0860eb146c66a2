//! Retailer Carrier Self Serve: carriers, their services and configuration, carrier accounts.
//! Every shape here is from seed 004 (`narvar-api.md` §6).

use super::common::{ApiMessage, EnvelopeStatus};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

open_enum! {
    /// A Narvar product (`Products-Enum`).
    pub enum Product { Returns = "returns", Tracking = "tracking", Delivery = "delivery" }
}

open_enum! {
    /// A carrier capability (`capabilities-Enum`).
    pub enum Capability {
        ForwardLabel = "forward_label",
        ReturnsLabel = "returns_label",
        ReturnsMobile = "returns_mobile",
        ReturnsBoxless = "returns_boxless",
        ReturnsPickup = "returns_pickup",
        LocalDelivery = "local_delivery",
        InternationalShipment = "international_shipment",
        ShipmentTracking = "shipment_tracking",
        MultiPieceShipment = "multi_piece_shipment",
    }
}

open_enum! {
    /// Whether a carrier has an active account for the retailer.
    pub enum CarrierStatus { Active = "active", Inactive = "inactive" }
}

open_enum! {
    /// Domestic or international service.
    pub enum ShipmentType { Domestic = "domestic", International = "international" }
}

open_enum! {
    /// The file format of a label.
    pub enum LabelType { Pdf = "PDF", Png = "PNG" }
}

open_enum! {
    /// The paper size of a label.
    pub enum LabelSize { A6 = "A6", A4 = "A4", UsLetter = "US_LETTER" }
}

open_enum! {
    /// A reference field printable on a label.
    pub enum LabelParam { Reference1 = "reference1", Reference2 = "reference2", Reference3 = "reference3" }
}

open_enum! {
    /// A delivery feature a carrier supports.
    pub enum SupportedFeature {
        SignatureRequired = "signature_required",
        ProofOfDeliveryRequired = "proof_of_delivery_required",
        PoBox = "po_box",
        MilitaryAddress = "military_address",
        Hazmat = "hazmat",
    }
}

open_enum! {
    /// A unit of length.
    pub enum LengthUnit { In = "in", Ft = "ft", Yd = "yd", Mm = "mm", Cm = "cm", M = "m" }
}

open_enum! {
    /// A unit of weight.
    pub enum WeightUnit { G = "g", Kg = "kg", Oz = "oz", Lb = "lb" }
}

open_enum! {
    /// A country a carrier closure applies to (the seed's enum has exactly these two).
    pub enum ClosureCountry { Us = "US", Uk = "UK" }
}

model! {
    /// Label format and size. `label_size` is mandatory when `label_type` is `PDF` or `PNG`.
    pub struct LabelSpec {
        pub label_size: Option<LabelSize>,
        pub label_type: Option<LabelType>,
    }
}

model! {
    /// A length range.
    pub struct Measurement {
        pub min: Option<f64>,
        pub max: Option<f64>,
        pub unit: Option<LengthUnit>,
    }
}

model! {
    /// A weight range.
    pub struct Weight {
        pub min: Option<f64>,
        pub max: Option<f64>,
        pub unit: Option<WeightUnit>,
    }
}

model! {
    /// A time window: either `start_hours`/`end_hours` (`HH:MM`, local) or `start_time`/`end_time`
    /// (RFC 3339 with offset). When both are given the times win, as seed 004 says.
    pub struct TimeWindow {
        pub start_hours: Option<String>,
        pub end_hours: Option<String>,
        pub start_time: Option<String>,
        pub end_time: Option<String>,
    }
}

model! {
    /// Parcel limits and features of a service.
    pub struct DeliverySettings {
        pub length: Option<Measurement>,
        pub height: Option<Measurement>,
        pub weight: Option<Weight>,
        /// Carrier-specific, e.g. `FEDEX_10KG_BOX`.
        pub package_type: Vec<String>,
        pub supported_features: Vec<SupportedFeature>,
        /// Pickup/delivery windows (where seed 004's `TimeWindow` applies; the seed does not say).
        pub time_windows: Vec<TimeWindow>,
    }
}

model! {
    /// A service's configuration (restrictions).
    pub struct Configuration {
        pub shipment_type: Option<ShipmentType>,
        pub label_specs: Vec<LabelSpec>,
        pub label_params: Vec<LabelParam>,
        pub delivery_settings: Option<DeliverySettings>,
    }
}

model! {
    /// A day a carrier does not work.
    pub struct CarrierClosure {
        /// E.g. `Independence Day`.
        pub name: Option<String>,
        pub countries: Vec<ClosureCountry>,
        /// `yyyy-mm-dd`.
        pub date: Option<String>,
    }
}

model! {
    /// Carrier-level configuration.
    pub struct CarrierConfiguration {
        pub carrier_closures: Vec<CarrierClosure>,
    }
}

model! {
    /// A carrier service such as `FEDEX_GROUND`.
    pub struct CarrierService {
        pub service_name: String,
        pub configuration: Option<Configuration>,
        pub description: Option<String>,
        pub is_active: Option<bool>,
        pub countries: Vec<String>,
    }
}

model! {
    /// One carrier in the list of carriers.
    pub struct CarrierSummary {
        pub carrier_moniker: String,
        pub status: Option<CarrierStatus>,
        pub last_updated_by: Option<String>,
        pub last_update_datetime: Option<String>,
        pub capabilities: Vec<Capability>,
        pub products: Vec<Product>,
        pub carrier_services as "carrier-services": Vec<String>,
    }
}

model! {
    /// Answer of `GET /carriers`.
    pub struct CarrierList {
        pub retailer_moniker: Option<String>,
        pub carriers: Vec<CarrierSummary>,
    }
}

model! {
    /// An account as listed under a carrier.
    pub struct CarrierAccountDetail {
        pub account_alias: Option<String>,
        pub capabilities: Vec<Capability>,
        /// Singular on the wire.
        pub product: Vec<Product>,
        pub carrier_services: Vec<String>,
    }
}

model! {
    /// Answer of `GET /carriers/{carrier-moniker}`: services, configuration, accounts.
    pub struct CarrierDetails {
        pub status: Option<EnvelopeStatus>,
        pub carrier_moniker: Option<String>,
        pub carrier_services: Vec<CarrierService>,
        pub configuration: Option<CarrierConfiguration>,
        pub accounts: Vec<CarrierAccountDetail>,
    }
}

model! {
    /// One service to add or change. `configuration` is a delta: send only what changes.
    pub struct CarrierServiceRequest {
        pub service_name: String,
        pub configuration: Option<Configuration>,
        pub is_active: Option<bool>,
        pub countries: Vec<String>,
    }
}

model! {
    /// Body of `POST /carriers/{carrier-moniker}`.
    pub struct CarrierServiceConfigurationRequest {
        pub capabilities: Vec<Capability>,
        pub products: Vec<Product>,
        pub carrier_service_configurations: Vec<CarrierServiceRequest>,
        pub carrier_configuration: Option<CarrierConfiguration>,
    }
}

model! {
    /// Answer of `POST /carriers/{carrier-moniker}`.
    pub struct CarrierServiceCreationResponse {
        pub status: Option<EnvelopeStatus>,
        pub carrier_moniker: Option<String>,
        pub carrier_services: Vec<CarrierService>,
        pub configuration: Option<CarrierConfiguration>,
    }
}

model! {
    /// A bare status answer (updates and deletes), with any errors.
    pub struct StatusResponse {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        pub errors: Vec<ApiMessage>,
    }
}

/// Unknown credential fields: kept and sent, never printed.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretFields(pub super::Extra);

impl fmt::Debug for SecretFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl std::ops::Deref for SecretFields {
    type Target = super::Extra;
    fn deref(&self) -> &super::Extra {
        &self.0
    }
}

impl std::ops::DerefMut for SecretFields {
    fn deref_mut(&mut self) -> &mut super::Extra {
        &mut self.0
    }
}

impl schemars::JsonSchema for SecretFields {
    fn schema_name() -> Cow<'static, str> {
        "SecretFields".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object", "additionalProperties": true })
    }
}

macro_rules! credentials {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, schemars::JsonSchema)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                // For the schema (serde's derive is not used: see below).
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Fields this SDK does not know; sent as given, never printed.
            #[serde(flatten)]
            pub extra: SecretFields,
        }

        // A model's reader and writer, not serde's derive: its `flatten` buffers every field and
        // reads it again through a second deserializer (about 50 KB of the wasm module).
        $crate::__model_serde! { $name { $($field : Option<$ty>),* } }
    };
}

credentials!(
    /// Australia Post (`auspost`): every field optional.
    AuspostCredentials { username: String, password: Secret, account_number: Secret }
);
credentials!(
    /// PostNord (`postnord`): all four required.
    PostnordCredentials { api_key: Secret, party_id: String, party_id_type: String, issuer_code: String }
);
credentials!(
    /// GLS (`gls`): username, password and shipper_contact_id required.
    GlsCredentials { username: String, password: Secret, shipper_contact_id: String, hostname: String }
);
credentials!(
    /// DPD UK (`dpduk`; the moniker is a guess).
    DpdukCredentials { username: String, password: Secret }
);
credentials!(
    /// Canada Post (`canadapost`; the moniker is a guess).
    CanadaPostCredentials { username: String, password: Secret, contract_id: String, customer_number: Secret }
);

/// Carrier credentials. The wire has no discriminator: the shape follows `carrier_moniker`, so
/// a request or account resolves them with [`CarrierCredentials::for_moniker`] once it knows the
/// moniker. A carrier this SDK does not know keeps its credentials as raw JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum CarrierCredentials {
    Auspost(AuspostCredentials),
    Postnord(PostnordCredentials),
    Gls(GlsCredentials),
    Dpduk(DpdukCredentials),
    CanadaPost(CanadaPostCredentials),
    /// An unknown carrier's credentials, as given.
    Other(crate::secret::SecretJson),
}

impl Default for CarrierCredentials {
    fn default() -> Self {
        CarrierCredentials::Other(crate::secret::SecretJson(serde_json::Value::Object(Default::default())))
    }
}

/// The carrier monikers whose credential shapes the SDK knows.
pub const KNOWN_CREDENTIAL_MONIKERS: &[&str] = &["auspost", "postnord", "gls", "dpduk", "canadapost"];

impl CarrierCredentials {
    /// Reads credentials in the shape of `carrier_moniker`'s; an unknown moniker, or fields that
    /// do not fit (a string where an object is needed), keep the raw JSON.
    pub fn for_moniker(carrier_moniker: &str, raw: serde_json::Value) -> Self {
        fn typed<T: crate::codec::Decode>(raw: &serde_json::Value) -> Option<T> {
            crate::codec::from_json(raw).ok()
        }
        let known = match carrier_moniker.to_ascii_lowercase().as_str() {
            "auspost" => typed(&raw).map(Self::Auspost),
            "postnord" => typed(&raw).map(Self::Postnord),
            "gls" => typed(&raw).map(Self::Gls),
            "dpduk" => typed(&raw).map(Self::Dpduk),
            "canadapost" => typed(&raw).map(Self::CanadaPost),
            _ => None,
        };
        known.unwrap_or(Self::Other(crate::secret::SecretJson(raw)))
    }

    /// The credentials as JSON (secrets included: for the request body only).
    pub fn to_value(&self) -> serde_json::Value {
        crate::codec::write_value(self).unwrap_or_default()
    }

    /// The moniker these credentials were read for, if known.
    pub fn moniker(&self) -> Option<&'static str> {
        Some(match self {
            Self::Auspost(_) => "auspost",
            Self::Postnord(_) => "postnord",
            Self::Gls(_) => "gls",
            Self::Dpduk(_) => "dpduk",
            Self::CanadaPost(_) => "canadapost",
            Self::Other(_) => return None,
        })
    }
}

/// Credential fields depend on the carrier; `validate::credentials` checks them by moniker.
impl super::Misspellings for CarrierCredentials {}
impl super::Misspellings for SecretFields {}
// Credentials are not walked for drift: their keys and values are the retailer's secrets.
impl crate::drift::Drift for CarrierCredentials {}
impl crate::drift::Drift for SecretFields {}

impl Serialize for CarrierCredentials {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auspost(c) => c.serialize(s),
            Self::Postnord(c) => c.serialize(s),
            Self::Gls(c) => c.serialize(s),
            Self::Dpduk(c) => c.serialize(s),
            Self::CanadaPost(c) => c.serialize(s),
            Self::Other(c) => c.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CarrierCredentials {
    /// Without the moniker the shape is unknown: kept raw until the enclosing request resolves it.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(|v| Self::Other(crate::secret::SecretJson(v)))
    }
}

impl crate::codec::Encode for CarrierCredentials {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Auspost(c) => crate::codec::Encode::encode(c, out),
            Self::Postnord(c) => crate::codec::Encode::encode(c, out),
            Self::Gls(c) => crate::codec::Encode::encode(c, out),
            Self::Dpduk(c) => crate::codec::Encode::encode(c, out),
            Self::CanadaPost(c) => crate::codec::Encode::encode(c, out),
            Self::Other(c) => crate::codec::Encode::encode(c, out),
        }
    }
}

impl crate::codec::Decode for CarrierCredentials {
    /// As `Deserialize`: raw until the enclosing request resolves the shape.
    fn decode(value: &crate::codec::Raw<'_>, _: &crate::codec::Level<'_>) -> Result<Self, serde_json::Error> {
        Ok(Self::Other(crate::secret::SecretJson(value.to_value())))
    }
}

impl schemars::JsonSchema for CarrierCredentials {
    fn schema_name() -> Cow<'static, str> {
        "CarrierCredentials".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let shapes = [
            g.subschema_for::<AuspostCredentials>(),
            g.subschema_for::<PostnordCredentials>(),
            g.subschema_for::<GlsCredentials>(),
            g.subschema_for::<DpdukCredentials>(),
            g.subschema_for::<CanadaPostCredentials>(),
        ];
        schemars::json_schema!({
            "description": "Carrier credentials; the shape follows carrier_moniker. Write-only.",
            "writeOnly": true,
            "anyOf": [shapes[0], shapes[1], shapes[2], shapes[3], shapes[4], { "type": "object" }]
        })
    }
}

/// Resolves `credentials` by `carrier_moniker` once both are read.
fn resolve_credentials(moniker: &str, credentials: &mut Option<CarrierCredentials>) {
    if let Some(c) = credentials.take() {
        *credentials = Some(CarrierCredentials::for_moniker(moniker, c.to_value()));
    }
}

fn resolve_request(r: &mut CarrierAccountRequest) {
    resolve_credentials(&r.carrier_moniker, &mut r.credentials);
}
fn resolve_update(r: &mut CarrierAccountUpdateRequest) {
    resolve_credentials(&r.carrier_moniker, &mut r.credentials);
}
fn resolve_account(r: &mut CarrierAccount) {
    resolve_credentials(&r.carrier_moniker, &mut r.credentials);
}

model! {
    @finish(resolve_request)
    /// Body of `POST /carrier-accounts`.
    pub struct CarrierAccountRequest {
        pub carrier_moniker: String,
        pub capabilities: Vec<Capability>,
        pub products: Vec<Product>,
        pub is_active: Option<bool>,
        /// Unique per retailer; cannot be changed later. E.g. `acme-auspost-label`.
        pub account_alias: String,
        pub credentials: Option<CarrierCredentials>,
        pub carrier_services: Vec<String>,
    }
}

model! {
    @finish(resolve_update)
    /// Body of `PUT /carrier-accounts`: `account_alias` names the account (it cannot change);
    /// `capabilities` and `products` default to the existing ones.
    pub struct CarrierAccountUpdateRequest {
        pub carrier_moniker: String,
        pub capabilities: Vec<Capability>,
        pub products: Vec<Product>,
        pub is_active: Option<bool>,
        pub account_alias: String,
        pub credentials: Option<CarrierCredentials>,
    }
}

model! {
    @finish(resolve_account)
    /// A carrier account. Narvar does not echo credentials in lists; `credentials` is filled only
    /// where a response carries them.
    pub struct CarrierAccount {
        pub retailer_moniker: Option<String>,
        pub carrier_moniker: String,
        pub capabilities: Vec<Capability>,
        pub products: Vec<Product>,
        /// Server-generated UUID.
        pub account_identifier: Option<String>,
        pub is_active: Option<bool>,
        pub account_alias: String,
        pub carrier_services: Vec<String>,
        pub credentials: Option<CarrierCredentials>,
    }
}

model! {
    /// Answer of `POST /carrier-accounts`.
    pub struct CarrierAccountCreated {
        pub status: Option<EnvelopeStatus>,
        pub carrier_account as "carrierAccount": Option<CarrierAccount>,
    }
}

model! {
    /// Answer of `GET /carrier-accounts` (no alias: every account of the retailer).
    pub struct CarrierAccountList {
        pub status: Option<EnvelopeStatus>,
        pub carrier_accounts as "carrierAccounts": Vec<CarrierAccount>,
    }
}
