//! `promise.*`: delivery options from the simulated clock, and their confirmation.

use super::*;

/// Options for a cart, remembered for confirmation; both paths take the same request.
fn options(req: PromiseRequest, cx: &mut Cx<'_>) -> Reply {
    let now = cx.now;
    let id = cx.id.clone();
    let a = &mut *cx.account;
    if let Err(errs) = check(|p| validate::promise_request(p, &req)) {
        return invalid(errs);
    }
    let mut options = Vec::new();
    for (name, days) in [("Standard", 5), ("Express", 2)] {
        let date = (now + Span::days(days)).date_naive();
        let option = DeliveryOption {
            promise_id: Some(format!("pr_{}_{}", self_seq(&id), name.to_lowercase())),
            delivery_option_name: Some(name.to_owned()),
            text: Some(format!("Get it by {}", date.format("%a, %b %-d"))),
            estimated_delivery_date: Some(date.to_string()),
            ..Default::default()
        };
        a.promises.insert(option.promise_id.clone().unwrap_or_default(), option.clone());
        options.push(option);
    }
    Reply::ok(to_value(&PromiseOptions {
        status: Some(EnvelopeStatus::Success),
        messages: vec![envelope::success_message("Delivery options found")],
        cart_delivery_options: Some(CartDeliveryOptions { delivery_options: options, ..Default::default() }),
        ..Default::default()
    }))
}

impl Handler for GetPromiseOptions {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        options(self.request, cx)
    }
}

impl Handler for GetPublicPromiseOptions {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        options(self.request, cx)
    }
}

impl Handler for ConfirmPromise {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let req = self.confirmation;
        if let Err(errs) = check(|p| validate::promise_confirmation(p, &req)) {
            return invalid(errs);
        }
        if let Some(missing) = req.selected_delivery_options.iter().find(|o| !a.promises.contains_key(&o.promise_id)) {
            return failure(404, "promise.not_found", format!("Promise {} not found", missing.promise_id));
        }
        Reply::ok(json!({"status": "SUCCESS", "order_id": req.order_id}))
    }
}
