//! The models' and inputs' own readers and writers (`codec::Decode` and `codec::Encode`: every
//! input, every request body, and in the wasm package every response) read what serde's derive
//! reads, fail where and as it fails, and write the same bytes: each is run against serde's
//! (`codec::from_json_by_serde`, the path-tracking reader they replace, and `serde_json::to_string`)
//! over every object of the conformance vectors, and over each input with one value changed to
//! every other JSON type.

use narvar_core::codec::{self, Decode, Encode};
use narvar_core::models::*;
use narvar_core::ops::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Debug;
use std::path::PathBuf;

/// Both readers on `input`: the same value, or the same error at the same path.
/// And what reads, both writers write alike, byte for byte.
fn same<T: Decode + Encode + DeserializeOwned + Serialize + PartialEq + Debug>(input: &Value) -> bool {
    let ours = codec::from_json::<T>(input);
    let serde = codec::from_json_by_serde::<T>(input);
    match (ours, serde) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{} from {input}", std::any::type_name::<T>());
            assert_eq!(codec::write_text(&a), serde_json::to_string(&a).unwrap(), "{} from {input}", std::any::type_name::<T>());
            true
        }
        (Err(a), Err(b)) => {
            let name = std::any::type_name::<T>();
            // serde's flatten reads the rest again from a buffer, where the path is lost ("."):
            // the reader names it (`a_flattened_model_names_the_path_of_its_own_fields`).
            let flattened = FLATTENED.iter().any(|f| name.ends_with(f)) && b.path() == ".";
            let path = if flattened { b.path() } else { a.path() };
            assert_eq!((path, a.inner().to_string()), (b.path(), b.inner().to_string()), "{name} from {input}");
            false
        }
        (a, b) => panic!("{} from {input}: ours {:?}, serde's {:?}", std::any::type_name::<T>(), a.err(), b.err()),
    }
}

/// The inputs that flatten a model into their own keys.
const FLATTENED: &[&str] = &["::GetPromiseOptions", "::GetPublicPromiseOptions", "::ConfirmPromise", "::EnableCarrier"];

/// Runs `same` for the type `$ty` of each name, for the value `$v`.
macro_rules! each_type {
    ($v:expr; $($ty:ty),* $(,)?) => {{
        let mut read = 0;
        $( read += usize::from(same::<$ty>($v)); )*
        read
    }};
}

/// Every model, read from `v`; how many read it without an error.
fn every_model(v: &Value) -> usize {
    each_type!(v;
        LabelSpec, Measurement, Weight, TimeWindow, DeliverySettings, Configuration, CarrierClosure,
        CarrierConfiguration, CarrierService, CarrierSummary, CarrierList, CarrierAccountDetail, CarrierDetails,
        CarrierServiceRequest, CarrierServiceConfigurationRequest, CarrierServiceCreationResponse, StatusResponse,
        CarrierAccountRequest, CarrierAccountUpdateRequest, CarrierAccount, CarrierAccountCreated, CarrierAccountList,
        ApiMessage, Envelope, Address, Contact, OrderEvent, Promotion, Vendor, Dimensions, OrderItem, ItemInfo, Shipment,
        PickupStatus, StoreHours, Store, Pickup, Payment, Billing, Customer, OrderInfo, OrderEnvelope, WriteResult, Money,
        PromiseDestination, PromiseCustomer, PromiseItem, PromiseRequest, DeliveryOption, CartDeliveryOptions,
        PromiseOptions, SelectedDeliveryOption, PromiseConfirmation, PromiseConfirmed, ReturnItem, ReturnRequest,
        ReturnCarrier, ReturnMethod, ReturnLabel, TrackingLocation, TrackingEvent, TrackedShipment, OrderTracking,
        TrackingInfo, ItemVisibility, OrderItemVisibility, ReturnPackage, StandardRmaPayload, WebhookAddress,
        WebhookBilledTo, WebhookPayment, BillingDocument, WebhookOrder, FullRmaPayload, TopicPayload,
        AuspostCredentials, PostnordCredentials, GlsCredentials, DpdukCredentials, CanadaPostCredentials
    )
}

/// Every operation's input, read from `v`.
fn every_input(v: &Value) -> usize {
    each_type!(v;
        ListCarrierAccounts, GetCarrierAccount, CreateCarrierAccount, UpdateCarrierAccount, DeleteCarrierAccount,
        ListCarriers, GetCarrier, EnableCarrier, DisableCarrierService, CreateOrder, GetOrder, AddShipments,
        GetPromiseOptions, GetPublicPromiseOptions, ConfirmPromise, GenerateReturnLabel, CreateReturn, GetReturnLabel,
        GetReturn, TrackOrder, GetTrackingInfo, GetItemVisibility
    )
}

/// Every object and list in the conformance vectors (inputs, request bodies, responses).
fn vector_values() -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let cases: Vec<Value> = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        for case in cases {
            // A response body is text: read it when it is JSON.
            let body = case.pointer("/response/body").and_then(Value::as_str).and_then(|b| serde_json::from_str(b).ok());
            for v in [case.get("input").cloned(), case.pointer("/expect_request/body").cloned(), body].into_iter().flatten() {
                collect(&v, &mut out);
            }
        }
    }
    out
}

fn collect(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            out.push(v.clone());
            m.values().for_each(|c| collect(c, out));
        }
        Value::Array(items) => {
            out.push(v.clone());
            items.iter().for_each(|c| collect(c, out));
        }
        _ => {}
    }
}

/// `v` with one value (at any depth) changed to each other kind of JSON value, one at a time.
fn with_one_value_changed(v: &Value) -> Vec<Value> {
    let kinds = [json!(null), json!(true), json!(-3), json!(2.5), json!("x"), json!([]), json!({}), json!([{}])];
    let mut out = Vec::new();
    let mut places = Vec::new();
    paths(v, String::new(), &mut places);
    for place in places {
        for kind in &kinds {
            let mut changed = v.clone();
            *changed.pointer_mut(&place).unwrap() = kind.clone();
            out.push(changed);
        }
    }
    out
}

fn paths(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| {
            let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
            out.push(p.clone());
            paths(c, p, out);
        }),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, c)| {
            let p = format!("{at}/{i}");
            out.push(p.clone());
            paths(c, p, out);
        }),
        _ => {}
    }
}

#[test]
fn every_vector_object_reads_the_same_as_serde_reads_it() {
    let values = vector_values();
    assert!(values.len() > 500, "{}", values.len());
    let read: usize = values.iter().map(|v| every_model(v) + every_input(v)).sum();
    // Most objects fit some model (every model reads any object: its fields are all optional).
    assert!(read > values.len(), "{read}");
}

#[test]
fn every_vector_input_with_a_value_changed_fails_the_same_as_serde() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut tried = 0;
    for file in ["orders.json", "returns.json", "carriers.json", "accounts.json", "promise.json", "tracking.json"] {
        let cases: Vec<Value> = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        for case in cases.iter().take(4) {
            for changed in with_one_value_changed(&case["input"]) {
                every_input(&changed);
                tried += 1;
            }
        }
    }
    assert!(tried > 1000, "{tried}");
}

#[test]
fn inputs_refuse_what_serde_refuses() {
    let cases = [
        json!({"order_number": 5}),
        json!({"order_numbr": "1"}),
        json!({}),
        json!({"order_number": "1", "order_number": "2"}),
        json!("1001"),
        json!(["1001"]),
        json!({"carrier_moniker": "ups", "tracking_numbers": null}),
        json!({"carrier_moniker": "ups", "tracking_numbers": ["1Z", 2]}),
        json!({"carrier_moniker": "ups", "tracking_numbers": ["1Z"], "locale": null, "extra": 1}),
        json!({"order_number": "1", "shipments": [{"items_info": [{"quantity": "two"}]}]}),
        json!({"api_version": 2, "items": []}),
        json!({"carrier_moniker": "fedex", "configuration": 5}),
    ];
    for c in &cases {
        every_input(c);
    }
    // A key sent twice is refused by an input (as a `Value` cannot show, the text is read).
    let raw = codec::Raw::parse(r#"{"order_number": "1", "order_number": "2"}"#).unwrap();
    let e = codec::from_raw::<GetOrder>(&raw).unwrap_err();
    assert_eq!((e.path(), e.inner().to_string()), (".", "duplicate field `order_number`".to_owned()));
    // A model reads the last one, as a `Value` keeps it.
    let raw = codec::Raw::parse(r#"{"order_number": "1", "order_number": "2"}"#).unwrap();
    assert_eq!(codec::from_raw::<OrderInfo>(&raw).unwrap().order_number, "2");
}

#[test]
fn a_flattened_model_names_the_path_of_its_own_fields() {
    // serde's flatten reads the rest again from a buffer and loses the path; the reader keeps it.
    let e = codec::from_json::<GetPromiseOptions>(&json!({"items": [{"quantity": "x"}]})).unwrap_err();
    assert_eq!(e.path(), "items[0].quantity");
}

#[test]
fn webhooks_are_written_as_serde_writes_them() {
    let deliveries = [
        (None, json!({"rma_number": "R-1", "return_tracking_status": "IN_TRANSIT", "items": [{"sku": "MUG"}], "x": 1})),
        (None, json!({"order": {"order_number": "1001"}, "colour": "red"})),
        (Some("approved"), json!({"order_number": "1001", "colour": "red"})),
        (Some("nothing.known"), json!({"a": [1, 2]})),
        (None, json!({"a": null})),
    ];
    for (topic, body) in deliveries {
        let mut headers = vec![("X-Narvar-Webhook-Id".to_owned(), "wh-1".to_owned())];
        headers.extend(topic.map(|t| ("X-Narvar-Topic".to_owned(), t.to_owned())));
        let webhook = narvar_core::webhooks::parse(&headers, body.to_string().as_bytes()).unwrap();
        assert_eq!(codec::write_text(&webhook), serde_json::to_string(&webhook).unwrap());
    }
}
