//! Carrier self-serve: carriers and their services.

use super::*;
use crate::models::{
    Capability, CarrierDetails, CarrierList, CarrierServiceConfigurationRequest, CarrierServiceCreationResponse, Product,
    StatusResponse,
};
use crate::validate;

op_input! {
    /// `carriers.list`: the retailer's carriers, optionally filtered. Array filters are sent as
    /// repeated keys (`products=returns&products=tracking`); the seed does not say how.
    pub struct ListCarriers {
        pub products: Vec<Product> = default,
        pub capabilities: Vec<Capability> = default,
    }
}

impl Operation for ListCarriers {
    type Output = CarrierList;
    const OPTIONAL_QUERY: &'static [&'static str] = &["products", "capabilities"];
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        let (products, capabilities) = filters(wire);
        Ok(ListCarriers { products, capabilities })
    }
    const INFO: OpInfo = OpInfo {
        name: "carriers.list",
        subject: "",
        method: Method::Get,
        path: "/carriers",
        host: Host::Api,
        auth: AuthKind::Bearer,
        idempotent: true,
        idempotency_key: false,
        summary: "List the retailer's carriers, filtered by products and capabilities.",
    };
    fn check(&self, _: &mut Problems) {}
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carriers"]).query_each("products", &self.products).query_each("capabilities", &self.capabilities))
    }
    fn read(resp: &HttpResponse) -> Result<CarrierList, NarvarError> {
        read_enveloped(resp)
    }
}

/// The repeated `products` and `capabilities` query keys (empty values ignored).
fn filters(wire: &WireRequest<'_>) -> (Vec<Product>, Vec<Capability>) {
    let all = |k| wire.query_all(k).into_iter().filter(|v| !v.is_empty());
    (all("products").map(Product::parse).collect(), all("capabilities").map(Capability::parse).collect())
}

op_input! {
    /// `carriers.get`: a carrier's services, configuration and accounts.
    pub struct GetCarrier {
        /// E.g. `fedex`.
        pub carrier_moniker: String,
        /// ISO alpha-2: only services serving it (and unrestricted ones).
        pub country: Option<String> = default,
        pub products: Vec<Product> = default,
        pub capabilities: Vec<Capability> = default,
    }
}

impl Operation for GetCarrier {
    type Output = CarrierDetails;
    const OPTIONAL_QUERY: &'static [&'static str] = &["country", "products", "capabilities"];
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        let (products, capabilities) = filters(wire);
        let country = wire.query("country").filter(|c| !c.is_empty()).map(str::to_owned);
        Ok(GetCarrier { carrier_moniker: wire.param("carrier_moniker").to_owned(), country, products, capabilities })
    }
    const INFO: OpInfo = OpInfo {
        name: "carriers.get",
        subject: "carrier_moniker",
        method: Method::Get,
        path: "/carriers/{carrier_moniker}",
        host: Host::Api,
        auth: AuthKind::Bearer,
        idempotent: true,
        idempotency_key: false,
        summary: "Retrieve a carrier's services, configuration and accounts.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "carrier_moniker", &self.carrier_moniker);
        if let Some(c) = &self.country {
            if c.len() != 2 || !c.chars().all(|c| c.is_ascii_uppercase()) {
                p.add("country", "format", "must be an ISO 3166 alpha-2 country code such as US");
            }
        }
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carriers", &self.carrier_moniker])
            .query_opt("country", self.country.as_deref())
            .query_each("products", &self.products)
            .query_each("capabilities", &self.capabilities))
    }
    fn read(resp: &HttpResponse) -> Result<CarrierDetails, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `carriers.enable`: add services and configuration to a carrier (`POST /carriers/{moniker}`).
    /// Service configurations are deltas: send only what changes.
    pub struct EnableCarrier {
        pub carrier_moniker: String,
        flatten pub request: CarrierServiceConfigurationRequest,
    }
}

impl Operation for EnableCarrier {
    type Output = CarrierServiceCreationResponse;
    const INFO: OpInfo = OpInfo {
        name: "carriers.enable",
        subject: "carrier_moniker",
        method: Method::Post,
        path: "/carriers/{carrier_moniker}",
        host: Host::Api,
        auth: AuthKind::Bearer,
        idempotent: false,
        idempotency_key: true,
        summary: "Add services and configuration to a carrier for the retailer.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "carrier_moniker", &self.carrier_moniker);
        validate::service_configuration(p, &self.request);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.request.misspellings(&crate::drift::Path::Root, out);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carriers", &self.carrier_moniker]).json(&self.request))
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<CarrierServiceConfigurationRequest>())
    }
    fn read(resp: &HttpResponse) -> Result<CarrierServiceCreationResponse, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `carriers.disable`: remove one service of a carrier
    /// (`DELETE /carriers/{moniker}?carrier-service=NAME`).
    pub struct DisableCarrierService {
        pub carrier_moniker: String,
        /// The `service_name`, e.g. `FEDEX_GROUND`.
        pub carrier_service: String,
    }
}

impl Operation for DisableCarrierService {
    type Output = StatusResponse;
    const INFO: OpInfo = OpInfo {
        name: "carriers.disable",
        subject: "carrier_moniker",
        method: Method::Delete,
        path: "/carriers/{carrier_moniker}?carrier-service={carrier_service}",
        host: Host::Api,
        auth: AuthKind::Bearer,
        idempotent: true,
        idempotency_key: false,
        summary: "Remove a service of a carrier for the retailer.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "carrier_moniker", &self.carrier_moniker);
        p.required("carrier_service", Some(self.carrier_service.as_str()));
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carriers", &self.carrier_moniker]).query("carrier-service", self.carrier_service.as_str()))
    }
    fn read(resp: &HttpResponse) -> Result<StatusResponse, NarvarError> {
        read_deleted(resp)
    }
}
