//! Carrier self-serve: carrier accounts.

use super::*;
use crate::models::{
    CarrierAccount, CarrierAccountCreated, CarrierAccountList, CarrierAccountRequest, CarrierAccountUpdateRequest, StatusResponse,
};
use crate::validate;

const ACCOUNT_INFO: OpInfo = OpInfo {
    name: "",
    subject: "account_alias",
    method: Method::Get,
    path: "/carrier-accounts",
    host: Host::Api,
    auth: AuthKind::Bearer,
    idempotent: true,
    idempotency_key: false,
    summary: "",
};

op_input! {
    /// `carrier_accounts.list`: every carrier account of the retailer (`GET /carrier-accounts`
    /// without an alias, answered as `{status, carrierAccounts}`; the seed lists the wrapper but not
    /// the call).
    pub struct ListCarrierAccounts {}
}

impl Operation for ListCarrierAccounts {
    type Output = CarrierAccountList;
    const INFO: OpInfo =
        OpInfo { name: "carrier_accounts.list", subject: "", summary: "List the retailer's carrier accounts.", ..ACCOUNT_INFO };
    fn check(&self, _: &mut Problems) {}
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carrier-accounts"]))
    }
    fn read(resp: &HttpResponse) -> Result<CarrierAccountList, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `carrier_accounts.get`: one account by alias (`GET /carrier-accounts?account-alias=...`).
    /// The answer "varies with the carrier": a bare account, `{carrierAccount}` or
    /// `{carrierAccounts: [..]}` are all read.
    pub struct GetCarrierAccount {
        pub account_alias: String,
    }
}

impl Operation for GetCarrierAccount {
    type Output = CarrierAccount;
    const INFO: OpInfo = OpInfo {
        name: "carrier_accounts.get",
        subject: "account_alias",
        path: "/carrier-accounts?account-alias={account_alias}",
        summary: "Retrieve a carrier account by its alias.",
        ..ACCOUNT_INFO
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "account_alias", &self.account_alias);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carrier-accounts"]).query("account-alias", self.account_alias.as_str()))
    }
    fn read(resp: &HttpResponse) -> Result<CarrierAccount, NarvarError> {
        let mut v: serde_json::Value = read_enveloped(resp)?;
        let inner = if let Some(a) = v.get_mut("carrierAccount") {
            a.take()
        } else if let Some(first) = v.get_mut("carrierAccounts").and_then(|a| a.get_mut(0)) {
            first.take()
        } else {
            v
        };
        crate::codec::from_json(&inner).map_err(|e| NarvarError::decode(resp, "a carrier account", &e.to_string()))
    }
}

/// `carrier_accounts.create`: a new carrier account. The alias cannot change later.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct CreateCarrierAccount(pub CarrierAccountRequest);

transparent_input!(CreateCarrierAccount);

impl Operation for CreateCarrierAccount {
    type Output = CarrierAccount;
    const INFO: OpInfo = OpInfo {
        name: "carrier_accounts.create",
        subject: "account_alias",
        method: Method::Post,
        idempotent: false,
        idempotency_key: true,
        summary: "Create a carrier account with the carrier's credentials.",
        ..ACCOUNT_INFO
    };
    fn check(&self, p: &mut Problems) {
        validate::account_request(p, &self.0);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.0.misspellings(&crate::drift::Path::Root, out);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carrier-accounts"]).json(&self.0))
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<CarrierAccountRequest>())
    }
    fn read(resp: &HttpResponse) -> Result<CarrierAccount, NarvarError> {
        let created: CarrierAccountCreated = read_enveloped(resp)?;
        created.carrier_account.ok_or_else(|| NarvarError::decode(resp, "a created carrier account", "carrierAccount is missing"))
    }
}

/// `carrier_accounts.update`: change an account named by its alias.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct UpdateCarrierAccount(pub CarrierAccountUpdateRequest);

transparent_input!(UpdateCarrierAccount);

impl Operation for UpdateCarrierAccount {
    type Output = StatusResponse;
    const INFO: OpInfo = OpInfo {
        name: "carrier_accounts.update",
        subject: "account_alias",
        method: Method::Put,
        summary: "Update a carrier account (named by account_alias).",
        ..ACCOUNT_INFO
    };
    fn check(&self, p: &mut Problems) {
        validate::account_update(p, &self.0);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.0.misspellings(&crate::drift::Path::Root, out);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carrier-accounts"]).json(&self.0))
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<CarrierAccountUpdateRequest>())
    }
    fn read(resp: &HttpResponse) -> Result<StatusResponse, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `carrier_accounts.delete`: remove an account.
    pub struct DeleteCarrierAccount {
        pub account_alias: String,
    }
}

impl Operation for DeleteCarrierAccount {
    type Output = StatusResponse;
    const INFO: OpInfo = OpInfo {
        name: "carrier_accounts.delete",
        subject: "account_alias",
        method: Method::Delete,
        path: "/carrier-accounts/{account_alias}",
        summary: "Delete a carrier account.",
        ..ACCOUNT_INFO
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "account_alias", &self.account_alias);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["carrier-accounts", &self.account_alias]))
    }
    fn read(resp: &HttpResponse) -> Result<StatusResponse, NarvarError> {
        read_deleted(resp)
    }
}
