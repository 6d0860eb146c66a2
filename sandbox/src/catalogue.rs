//! The seeded carrier catalogue: a handful of carriers with services, capabilities and products
//! from seed 004.

use narvar_core::models::{Capability, CarrierService, Configuration, LabelSize, LabelSpec, LabelType, Product, ShipmentType};

/// One carrier of the catalogue.
#[derive(Clone, Debug)]
pub struct CatalogueCarrier {
    pub moniker: &'static str,
    pub capabilities: Vec<Capability>,
    pub products: Vec<Product>,
    pub services: Vec<CarrierService>,
}

fn service(name: &str, description: &str, countries: &[&str], international: bool) -> CarrierService {
    CarrierService {
        service_name: name.to_owned(),
        description: Some(description.to_owned()),
        is_active: Some(true),
        countries: countries.iter().map(|c| c.to_string()).collect(),
        configuration: Some(Configuration {
            shipment_type: Some(if international { ShipmentType::International } else { ShipmentType::Domestic }),
            label_specs: vec![
                LabelSpec { label_type: Some(LabelType::Pdf), label_size: Some(LabelSize::UsLetter), ..Default::default() },
                LabelSpec { label_type: Some(LabelType::Png), label_size: Some(LabelSize::A6), ..Default::default() },
            ],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The carriers every sandbox account starts with.
pub fn carriers() -> Vec<CatalogueCarrier> {
    use Capability::*;
    vec![
        CatalogueCarrier {
            moniker: "fedex",
            capabilities: vec![ForwardLabel, ReturnsLabel, ShipmentTracking, MultiPieceShipment, InternationalShipment],
            products: vec![Product::Returns, Product::Tracking, Product::Delivery],
            services: vec![
                service("FEDEX_GROUND", "FedEx Ground", &["US"], false),
                service("FEDEX_INTERNATIONAL_PRIORITY", "FedEx International Priority", &[], true),
            ],
        },
        CatalogueCarrier {
            moniker: "ups",
            capabilities: vec![ForwardLabel, ReturnsLabel, ReturnsPickup, ShipmentTracking],
            products: vec![Product::Returns, Product::Tracking],
            services: vec![service("UPS_GROUND", "UPS Ground", &["US"], false)],
        },
        CatalogueCarrier {
            moniker: "usps",
            capabilities: vec![ReturnsLabel, ReturnsBoxless, ShipmentTracking],
            products: vec![Product::Returns, Product::Tracking],
            services: vec![service("USPS_GROUND_ADVANTAGE", "USPS Ground Advantage", &["US"], false)],
        },
        CatalogueCarrier {
            moniker: "auspost",
            capabilities: vec![ReturnsLabel, ReturnsMobile, ShipmentTracking],
            products: vec![Product::Returns, Product::Tracking],
            services: vec![service("AUSPOST_PARCEL_POST", "Parcel Post", &["AU"], false)],
        },
        CatalogueCarrier {
            moniker: "postnord",
            capabilities: vec![ReturnsLabel, ShipmentTracking],
            products: vec![Product::Returns],
            services: vec![service("PN_PARCEL", "PostNord Parcel", &["SE", "DK", "NO", "FI"], false)],
        },
        CatalogueCarrier {
            moniker: "gls",
            capabilities: vec![ReturnsLabel, LocalDelivery],
            products: vec![Product::Returns, Product::Delivery],
            services: vec![service("GLS_BUSINESS_PARCEL", "GLS Business Parcel", &["DE", "FR"], false)],
        },
        CatalogueCarrier {
            moniker: "dpduk",
            capabilities: vec![ReturnsLabel, ShipmentTracking],
            products: vec![Product::Returns, Product::Tracking],
            services: vec![service("DPD_NEXT_DAY", "DPD Next Day", &["UK"], false)],
        },
        CatalogueCarrier {
            moniker: "canadapost",
            capabilities: vec![ReturnsLabel, ShipmentTracking],
            products: vec![Product::Returns, Product::Tracking],
            services: vec![service("CP_EXPEDITED", "Expedited Parcel", &["CA"], false)],
        },
    ]
}
