//! `tracking.*`: scans made from the simulated clock, by order, by tracking number, per line.

use super::*;

impl Handler for TrackOrder {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let (now, base_url) = (cx.now, cx.base_url);
        let a = &mut *cx.account;
        let n = self.order_number.as_str();
        match a.orders.get(n) {
            Some(o) => Reply::ok(to_value(&OrderTracking {
                status: Some(EnvelopeStatus::Success),
                messages: vec![envelope::success_message("Tracking found")],
                order_number: Some(n.to_owned()),
                retailer_moniker: Some(a.creds.retailer_moniker.clone()),
                shipments: tracked(o, now, base_url),
                ..Default::default()
            })),
            None => Reply {
                status: 404,
                body: json!({"errors": [{"code": envelope::ORDER_NOT_FOUND_CODE, "message": envelope::order_not_found_message(n)}]}),
                raw: None,
                events: vec![],
            },
        }
    }
}

impl Handler for GetTrackingInfo {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let (now, base_url) = (cx.now, cx.base_url);
        let a = &mut *cx.account;
        let carrier = self.carrier_moniker.as_str();
        let numbers: Vec<&str> = self.tracking_numbers.iter().map(String::as_str).collect();
        if numbers.is_empty() {
            return failure(400, "invalid.required", "tracking_numbers is required");
        }
        let shipments: Vec<TrackedShipment> = a
            .orders
            .values()
            .flat_map(|o| tracked(o, now, base_url))
            .filter(|s| {
                s.carrier.as_deref() == Some(carrier) && numbers.contains(&s.tracking_number.as_deref().unwrap_or_default())
            })
            .collect();
        if shipments.is_empty() {
            return failure(404, "tracking.not_found", "No shipment with those tracking numbers");
        }
        Reply::ok(to_value(&TrackingInfo {
            status: Some(EnvelopeStatus::Success),
            messages: vec![envelope::success_message("Tracking found")],
            locale: Some(self.locale.clone().unwrap_or_else(|| "en_US".into())),
            carrier: Some(carrier.to_owned()),
            shipments,
            ..Default::default()
        }))
    }
}

impl Handler for GetItemVisibility {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let (now, base_url) = (cx.now, cx.base_url);
        let a = &mut *cx.account;
        let n = self.order_number.as_str();
        let Some(o) = a.orders.get(n) else {
            return failure(404, envelope::ORDER_NOT_FOUND_CODE, envelope::order_not_found_message(n));
        };
        let order: OrderInfo = serde_json::from_value(Value::Object(o.order_info.clone())).unwrap_or_default();
        let zips: Vec<String> =
            order.shipments.iter().filter_map(|s| s.shipped_to.as_ref()?.address.as_ref()?.zip.clone()).collect();
        let masked = self.destination_zip.as_ref().is_some_and(|z| !zips.iter().any(|x| x == z));
        let tracks = tracked(o, now, base_url);
        let items = order
            .order_items
            .iter()
            .map(|it| {
                let ship = order.shipments.iter().find(|s| s.items_info.iter().any(|i| i.sku == it.sku));
                let track = ship.and_then(|s| tracks.iter().find(|t| t.tracking_number == s.tracking_number));
                ItemVisibility {
                    sku: it.sku.clone(),
                    item_id: it.item_id.clone(),
                    name: if masked { None } else { it.name.clone() },
                    quantity: it.quantity,
                    fulfillment_status: Some(if ship.is_some() {
                        FulfillmentStatus::Shipped
                    } else {
                        it.fulfillment_status.clone().unwrap_or(FulfillmentStatus::NotShipped)
                    }),
                    carrier: ship.and_then(|s| s.carrier.clone()),
                    tracking_number: if masked { None } else { ship.and_then(|s| s.tracking_number.clone()) },
                    tracking_status: track.and_then(|t| t.status.clone()),
                    ..Default::default()
                }
            })
            .collect();
        Reply::ok(to_value(&OrderItemVisibility {
            status: Some(EnvelopeStatus::Success),
            messages: vec![envelope::success_message("Items found")],
            order_number: Some(n.to_owned()),
            masked: Some(masked),
            items,
            ..Default::default()
        }))
    }
}
