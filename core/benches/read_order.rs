//! Reading a large order response through `orders.get` vs `serde_json::from_slice::<Value>` of
//! the same bytes (the baseline), in the same run. Goal: ≤ 1.25× the baseline.
//!
//! `cargo bench -p narvar-core --bench read_order` prints both times and the ratio.

use criterion::{criterion_group, Criterion};
use narvar_core::http::HttpResponse;
use narvar_core::ops::{GetOrder, Operation};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// 50 items, 5 shipments with 20 tracking events each (in a field the SDK does not model, so
/// unknown fields are exercised), and unknown fields on every item.
fn large_order() -> Vec<u8> {
    let items: Vec<Value> = (0..50)
        .map(|i| {
            json!({"sku": format!("SKU-{i:04}"), "item_id": format!("L{i}"), "name": format!("Blue mug {i}, 12 oz"),
                "description": "Stoneware mug, dishwasher safe", "quantity": (i % 3) + 1, "unit_price": 14.5 + i as f64,
                "line_price": "29.00", "discount_amount": 0, "categories": ["kitchen", "mugs"],
                "item_image": format!("https://cdn.example.test/img/{i}.png"), "item_url": format!("https://shop.example.test/p/{i}"),
                "is_final_sale": false, "is_gift": i % 7 == 0, "fulfillment_status": "SHIPPED", "line_number": i,
                "attributes": {"color": "blue", "size": "12oz"}, "warehouse_bin": format!("B-{i}"), "loyalty_points": i * 3})
        })
        .collect();
    let shipments: Vec<Value> = (0..5)
        .map(|s| {
            let events: Vec<Value> = (0..20)
                .map(|e| json!({"timestamp": format!("2024-03-{:02}T{:02}:15:00Z", 10 + e / 4, e % 24), "status": "in_transit",
                    "code": format!("IT{e}"), "description": "Departed facility", "location": {"city": "Austin", "state": "TX", "zip": "78701"}}))
                .collect();
            json!({"carrier": "usps", "tracking_number": format!("94001000000000000000{s}"), "ship_date": "2024-03-10T09:00:00Z",
                "items_info": (0..10).map(|i| json!({"sku": format!("SKU-{:04}", s * 10 + i), "quantity": 1})).collect::<Vec<_>>(),
                "shipped_to": {"first_name": "Ada", "last_name": "Rowe", "email": "ada@example.test",
                    "address": {"street_1": "12 Elm St", "city": "Austin", "state": "TX", "zip": "78701", "country": "US"}},
                "tracking_events": events})
        })
        .collect();
    let body = json!({"status": "SUCCESS", "messages": [{"code": "response.status.success", "message": "ok"}],
        "order_info": {"order_number": "SBX-100245", "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
            "order_items": items, "shipments": shipments,
            "billing": {"amount": 931.9, "tax_amount": 72.9, "billed_to": {"first_name": "Ada", "last_name": "Rowe"}},
            "customer": {"customer_id": "C-88", "email": "ada@example.test"}, "channel": "web", "risk_score": 0.12}});
    serde_json::to_vec(&body).unwrap()
}

fn bench(c: &mut Criterion) {
    let body = large_order();
    let resp = HttpResponse::new(200, body.clone());
    let order = GetOrder::from_response(&resp).unwrap();
    assert_eq!(order.order_items.len(), 50);
    let mut g = c.benchmark_group("read_large_order");
    g.throughput(criterion::Throughput::Bytes(body.len() as u64));
    g.bench_function("baseline: serde_json::Value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Value>(black_box(&body)).unwrap()))
    });
    g.bench_function("orders.get from_response", |b| b.iter(|| black_box(GetOrder::from_response(black_box(&resp)).unwrap())));
    g.finish();
}

/// The ratio from the same run, measured again by interleaved rounds so that machine noise hits
/// both sides alike.
fn ratio() {
    let body = large_order();
    let resp = HttpResponse::new(200, body.clone());
    let (mut base, mut ours) = (Duration::MAX, Duration::MAX);
    for _ in 0..30 {
        let t = Instant::now();
        for _ in 0..50 {
            black_box(serde_json::from_slice::<Value>(black_box(&body)).unwrap());
        }
        base = base.min(t.elapsed() / 50);
        let t = Instant::now();
        for _ in 0..50 {
            black_box(GetOrder::from_response(black_box(&resp)).unwrap());
        }
        ours = ours.min(t.elapsed() / 50);
    }
    println!(
        "large order ({} bytes): baseline serde_json::Value {:.1} µs, orders.get from_response {:.1} µs, ratio {:.2}× (goal ≤ 1.25×)",
        body.len(),
        base.as_secs_f64() * 1e6,
        ours.as_secs_f64() * 1e6,
        ours.as_secs_f64() / base.as_secs_f64()
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
