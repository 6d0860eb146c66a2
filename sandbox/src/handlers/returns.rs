//! `returns.*`: return creation (v1 labels and v2), with a real label to download, and lookups.

use super::*;

/// Creating a return: both versions take the same request.
fn create(req: ReturnRequest, cx: &mut Cx<'_>) -> Reply {
    let (now, base_url) = (cx.now, cx.base_url);
    if let Err(errs) = check(|p| validate::return_request(p, &req)) {
        return invalid(errs);
    }
    let a = &mut *cx.account;
    let Some(o) = a.orders.get(&req.order_number) else { return order_not_found(&req.order_number) };
    let order: OrderInfo = serde_json::from_value(Value::Object(o.order_info.clone())).unwrap_or_default();
    for (i, item) in req.order_items.iter().enumerate() {
        let Some(line) = order.order_items.iter().find(|l| l.sku == item.sku) else {
            return failure(400, "invalid.sku", format!("order_items[{i}].sku is not on order {}", req.order_number));
        };
        if line.is_final_sale == Some(true) {
            return failure(400, "invalid.final_sale", format!("order_items[{i}].sku is a final sale"));
        }
        if item.quantity.map(|q| q.get()).unwrap_or(0) > line.quantity.map(|q| q.get()).unwrap_or(0) {
            return failure(400, "invalid.quantity", format!("order_items[{i}].quantity is more than was ordered"));
        }
    }
    let rrn = cx.rrn.clone().unwrap_or_default();
    let carrier = req.carrier.clone().unwrap_or_else(|| "usps".into());
    let tn = format!("9202{:018}", cx.seq);
    let label_type = if carrier == "auspost" { "png" } else { "pdf" };
    let label = ReturnLabel {
        status: Some(EnvelopeStatus::Success),
        messages: vec![ApiMessage {
            code: Some(envelope::SUCCESS_CODE.into()),
            message: Some("Label Returned".into()),
            ..Default::default()
        }],
        return_reference_number: Some(rrn.clone()),
        order_number: Some(req.order_number.clone()),
        rma_number: Some(req.rma_number.clone().unwrap_or_else(|| "RA".into())),
        return_status: Some(ReturnStatus::Initiated),
        created_at: Some(now.to_rfc3339()),
        return_methods: vec![ReturnMethod {
            kind: Some(ReturnMethodType::Mail),
            carrier: Some(ReturnCarrier { name: Some(carrier.to_uppercase()), ..Default::default() }),
            label_url: Some(format!("{}/_sandbox/labels/{rrn}.{label_type}", base_url)),
            tracking_number: Some(tn.clone()),
            tracking_url: Some(format!("{}/tracking/{carrier}?tracking_numbers={tn}&type=ret", base_url)),
            ..Default::default()
        }],
        ..Default::default()
    };
    a.returns.insert(rrn.clone(), StoredReturn { label: label.clone(), created: now, label_type });
    Reply::ok(to_value(&label)).with_event(
        WebhookTopic::Initiated.as_str(),
        json!({"order_number": req.order_number, "return_reference_number": rrn, "rma_number": label.rma_number, "status": "initiated", "occurred_at": now.to_rfc3339()}),
    )
}

/// A return and its label as of now.
fn lookup(rrn: &str, cx: &mut Cx<'_>) -> Reply {
    let now = cx.now;
    let a = &mut *cx.account;
    match a.returns.get(rrn) {
        Some(r) => {
            let mut label = r.label.clone();
            label.return_status = Some(return_status_at(r.created, now));
            Reply::ok(to_value(&label))
        }
        None => failure(404, "return.not_found", format!("No return {rrn}")),
    }
}

impl Handler for GenerateReturnLabel {
    const NEEDS_RETURN_REFERENCE: bool = true;
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        create(self.0, cx)
    }
}

impl Handler for CreateReturn {
    const NEEDS_RETURN_REFERENCE: bool = true;
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        create(self.0, cx)
    }
}

impl Handler for GetReturnLabel {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        lookup(&self.return_reference_number, cx)
    }
}

impl Handler for GetReturn {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        lookup(&self.return_reference_number, cx)
    }
}
