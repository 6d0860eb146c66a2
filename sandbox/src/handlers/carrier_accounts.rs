//! `carrier_accounts.*`: accounts per alias; credentials are stored, never echoed.

use super::*;

impl Handler for ListCarrierAccounts {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let list: Vec<CarrierAccount> = a.carrier_accounts.values().map(public_account).collect();
        Reply::ok(to_value(&CarrierAccountList {
            status: Some(EnvelopeStatus::Success),
            carrier_accounts: list,
            ..Default::default()
        }))
    }
}

impl Handler for GetCarrierAccount {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let alias = self.account_alias.as_str();
        match a.carrier_accounts.get(alias) {
            Some(acc) => Reply::ok(to_value(&public_account(acc))),
            None => carrier_failure(404, carrier_codes::NOT_FOUND, format!("Account {alias} not found")),
        }
    }
}

impl Handler for CreateCarrierAccount {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let req = self.0;
        if let Err(errs) = check(|p| validate::account_request(p, &req)) {
            return carrier_invalid(errs);
        }
        if !a.carriers.contains_key(&req.carrier_moniker)
            && narvar_core::models::KNOWN_CREDENTIAL_MONIKERS.contains(&req.carrier_moniker.as_str())
        {
            return carrier_failure(400, carrier_codes::VALIDATION, format!("Carrier {} is not available", req.carrier_moniker));
        }
        if a.carrier_accounts.contains_key(&req.account_alias) {
            return carrier_failure(409, carrier_codes::CONFLICT, format!("Account alias {} already exists", req.account_alias));
        }
        let account = CarrierAccount {
            retailer_moniker: Some(a.creds.retailer_moniker.clone()),
            carrier_moniker: req.carrier_moniker.clone(),
            capabilities: req.capabilities.clone(),
            products: req.products.clone(),
            account_identifier: Some(uuid_like(&cx.id, &req.account_alias)),
            is_active: Some(req.is_active.unwrap_or(true)),
            account_alias: req.account_alias.clone(),
            carrier_services: req.carrier_services.clone(),
            credentials: req.credentials.clone(),
            ..Default::default()
        };
        a.carrier_accounts.insert(req.account_alias.clone(), account.clone());
        Reply::ok(json!({"status": "SUCCESS", "carrierAccount": public_account(&account)}))
    }
}

impl Handler for UpdateCarrierAccount {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let req = self.0;
        if let Err(errs) = check(|p| validate::account_update(p, &req)) {
            return carrier_invalid(errs);
        }
        let Some(acc) = a.carrier_accounts.get_mut(&req.account_alias) else {
            return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Account {} not found", req.account_alias));
        };
        if acc.carrier_moniker != req.carrier_moniker {
            return carrier_failure(400, carrier_codes::VALIDATION, "carrier_moniker cannot change");
        }
        if !req.capabilities.is_empty() {
            acc.capabilities = req.capabilities.clone();
        }
        if !req.products.is_empty() {
            acc.products = req.products.clone();
        }
        if let Some(active) = req.is_active {
            acc.is_active = Some(active);
        }
        if req.credentials.is_some() {
            acc.credentials = req.credentials.clone();
        }
        Reply::ok(json!({"status": "SUCCESS"}))
    }
}

impl Handler for DeleteCarrierAccount {
    fn handle(self, cx: &mut Cx<'_>) -> Reply {
        let a = &mut *cx.account;
        let alias = self.account_alias.as_str();
        match a.carrier_accounts.remove(alias) {
            Some(_) => Reply::ok(json!({"status": "SUCCESS"})),
            None => carrier_failure(404, carrier_codes::NOT_FOUND, format!("Account {alias} not found")),
        }
    }
}
