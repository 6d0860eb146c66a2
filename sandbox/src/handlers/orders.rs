//! `orders.*`: upserts (merged key by key), reads, shipments.

use super::*;

impl Handler for CreateOrder {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let now = cx.now;
        let a = &mut *cx.account;
        let order = self.0;
        // The fields sent (absent ones are not written): an update may send only some keys.
        let Value::Object(info) = to_value(&order) else { return invalid(vec![]) };
        let existing = a.orders.get(&order.order_number);
        // An update may send only some keys: check what the merged order would be.
        let mut merged = existing.map(|o| o.order_info.clone()).unwrap_or_default();
        for (k, v) in info {
            merged.insert(k, v);
        }
        let merged_order: OrderInfo = serde_json::from_value(Value::Object(merged.clone())).unwrap_or_default();
        if let Err(errs) = check(|p| validate::order(p, "order_info", &merged_order)) {
            return invalid(errs);
        }
        let stored = a.orders.entry(order.order_number.clone()).or_default();
        let created = stored.order_info.is_empty();
        stored.order_info = merged;
        stored.cached = None;
        for s in &merged_order.shipments {
            if let Some(tn) = &s.tracking_number {
                stored.shipment_seen.entry(tn.clone()).or_insert(now);
            }
        }
        let message = if created { "Order created" } else { "Order updated" };
        Reply::ok(envelope::success(message))
            .with_event(WebhookTopic::OrderUpdated.as_str(), json!({"order_number": order.order_number, "status": if created {"created"} else {"updated"}, "occurred_at": now.to_rfc3339()}))
    }
}

impl Handler for GetOrder {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let n = self.order_number.as_str();
        match a.orders.get_mut(n) {
            Some(o) => {
                let raw = o.cached.get_or_insert_with(|| {
                    bytes::Bytes::from(
                        serde_json::to_vec(&{
                            let mut answer = envelope::success("Order found");
                            answer["order_info"] = Value::Object(o.order_info.clone());
                            answer
                        })
                        .unwrap_or_default(),
                    )
                });
                Reply { status: 200, body: Value::Null, raw: Some(raw.clone()), events: Vec::new() }
            }
            None => order_not_found(n),
        }
    }
}

impl Handler for AddShipments {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let now = cx.now;
        let a = &mut *cx.account;
        let n = self.order_number;
        let shipments = self.shipments;
        if shipments.is_empty() {
            return invalid(vec![FieldError::new("order_info.shipments", "required", "is required")]);
        }
        let Some(stored) = a.orders.get_mut(&n) else { return order_not_found(&n) };
        let mut list: Vec<Value> = stored.order_info.get("shipments").and_then(Value::as_array).cloned().unwrap_or_default();
        let incoming: Vec<Value> = shipments.iter().map(to_value).collect();
        for (s, raw) in shipments.iter().zip(incoming) {
            let key = (s.carrier.clone(), s.tracking_number.clone());
            let pos = list.iter().position(|v| {
                (
                    v.get("carrier").and_then(Value::as_str).map(str::to_owned),
                    v.get("tracking_number").and_then(Value::as_str).map(str::to_owned),
                ) == key
            });
            match pos {
                Some(i) => list[i] = raw,
                None => list.push(raw),
            }
        }
        let mut candidate = stored.order_info.clone();
        candidate.insert("shipments".into(), Value::Array(list));
        let order: OrderInfo = serde_json::from_value(Value::Object(candidate.clone())).unwrap_or_default();
        if let Err(errs) = check(|p| validate::shipments(p, "order_info.shipments", &order.shipments, Some(&order.order_items))) {
            return invalid(errs);
        }
        stored.order_info = candidate;
        stored.cached = None;
        for s in &shipments {
            if let Some(tn) = &s.tracking_number {
                stored.shipment_seen.entry(tn.clone()).or_insert(now);
            }
        }
        Reply::ok(envelope::success("Shipments saved")).with_event(
            WebhookTopic::OrderUpdated.as_str(),
            json!({"order_number": n, "status": "shipments_updated", "occurred_at": now.to_rfc3339()}),
        )
    }
}
