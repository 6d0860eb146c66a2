//! The namespaced API: `client.orders().get(..)`, `client.returns().create(..)`, ... One list
//! serves the async client and the blocking one.

use crate::{blocking, Client, Response, Result};
use narvar_core::models::*;
use narvar_core::ops::*;

macro_rules! api {
    ($(
        $(#[$nsdoc:meta])*
        $ns:ident: $Async:ident / $Blocking:ident {
            $( $(#[$doc:meta])* fn $m:ident($($arg:ident : $ty:ty),*) -> $out:ty => $op:expr; )*
        }
    )*) => {
        $(
            $(#[$nsdoc])*
            pub struct $Async<'a>(&'a Client);
            impl $Async<'_> {
                $( $(#[$doc])* pub async fn $m(&self, $($arg: $ty),*) -> Result<Response<$out>> { self.0.execute($op).await } )*
            }
            $(#[$nsdoc])*
            pub struct $Blocking<'a>(&'a blocking::Client);
            impl $Blocking<'_> {
                $( $(#[$doc])* pub fn $m(&self, $($arg: $ty),*) -> Result<Response<$out>> { self.0.block(self.0.inner().execute($op)) } )*
            }
        )*
        impl Client { $( $(#[$nsdoc])* pub fn $ns(&self) -> $Async<'_> { $Async(self) } )* }
        impl blocking::Client { $( $(#[$nsdoc])* pub fn $ns(&self) -> $Blocking<'_> { $Blocking(self) } )* }
    };
}

api! {
    /// Orders: create (upsert), get, add shipments.
    orders: Orders / BlockingOrders {
        /// `orders.create`: create the order, or update the one with the same number.
        fn create(order: OrderInfo) -> WriteResult => CreateOrder(order);
        /// `orders.get`: one order; a missing one is `not_found`.
        fn get(order_number: &str) -> OrderInfo => GetOrder { order_number: order_number.to_owned() };
        /// `orders.add_shipments`: add or change shipments of an order.
        fn add_shipments(order_number: &str, shipments: Vec<Shipment>) -> WriteResult => AddShipments { order_number: order_number.to_owned(), shipments };
    }
    /// Tracking: by order (HMAC-signed), by tracking numbers, item visibility.
    tracking: Tracking / BlockingTracking {
        /// `tracking.by_order`: every shipment of an order with its scans.
        fn by_order(order_number: &str) -> OrderTracking => TrackOrder { order_number: order_number.to_owned() };
        /// `tracking.info`: packages by carrier and tracking numbers.
        fn info(query: GetTrackingInfo) -> TrackingInfo => query;
        /// `tracking.item_visibility`: each line's state; `destination_zip` is the second factor.
        fn item_visibility(order_number: &str, destination_zip: Option<&str>) -> OrderItemVisibility =>
            GetItemVisibility { order_number: order_number.to_owned(), destination_zip: destination_zip.map(str::to_owned), locale: None };
    }
    /// Returns and their labels.
    returns: Returns / BlockingReturns {
        /// `returns.generate_label` (v1).
        fn generate_label(request: ReturnRequest) -> ReturnLabel => GenerateReturnLabel(request);
        /// `returns.get_label` (v1).
        fn get_label(return_reference_number: &str) -> ReturnLabel => GetReturnLabel { return_reference_number: return_reference_number.to_owned() };
        /// `returns.create` (v2).
        fn create(request: ReturnRequest) -> ReturnLabel => CreateReturn(request);
        /// `returns.get` (v2).
        fn get(return_reference_number: &str) -> ReturnLabel => GetReturn { return_reference_number: return_reference_number.to_owned() };
    }
    /// Carriers and their services (Bearer auth).
    carriers: Carriers / BlockingCarriers {
        /// `carriers.list`, filtered.
        fn list(filter: ListCarriers) -> CarrierList => filter;
        /// `carriers.get`: services, configuration, accounts.
        fn get(carrier_moniker: &str) -> CarrierDetails => GetCarrier { carrier_moniker: carrier_moniker.to_owned(), ..Default::default() };
        /// `carriers.get` with its filters: `country`, `products`, `capabilities`.
        fn get_filtered(query: GetCarrier) -> CarrierDetails => query;
        /// `carriers.enable`: add services and configuration.
        fn enable(carrier_moniker: &str, request: CarrierServiceConfigurationRequest) -> CarrierServiceCreationResponse =>
            EnableCarrier { carrier_moniker: carrier_moniker.to_owned(), request };
        /// `carriers.disable`: remove one service.
        fn disable(carrier_moniker: &str, carrier_service: &str) -> StatusResponse =>
            DisableCarrierService { carrier_moniker: carrier_moniker.to_owned(), carrier_service: carrier_service.to_owned() };
    }
    /// Carrier accounts (Bearer auth).
    carrier_accounts: CarrierAccounts / BlockingCarrierAccounts {
        /// `carrier_accounts.list`.
        fn list() -> CarrierAccountList => ListCarrierAccounts {};
        /// `carrier_accounts.get` by alias.
        fn get(account_alias: &str) -> CarrierAccount => GetCarrierAccount { account_alias: account_alias.to_owned() };
        /// `carrier_accounts.create`.
        fn create(request: CarrierAccountRequest) -> CarrierAccount => CreateCarrierAccount(request);
        /// `carrier_accounts.update` (named by `account_alias`).
        fn update(request: CarrierAccountUpdateRequest) -> StatusResponse => UpdateCarrierAccount(request);
        /// `carrier_accounts.delete`.
        fn delete(account_alias: &str) -> StatusResponse => DeleteCarrierAccount { account_alias: account_alias.to_owned() };
    }
    /// Delivery-date promises.
    promise: Promise / BlockingPromise {
        /// `promise.options` (server-side).
        fn options(request: PromiseRequest) -> PromiseOptions => GetPromiseOptions { api_version: None, request };
        /// `promise.public_options` (client-side, no secret).
        fn public_options(request: PromiseRequest) -> PromiseOptions => GetPublicPromiseOptions { api_version: None, request };
        /// `promise.confirm`.
        fn confirm(confirmation: PromiseConfirmation) -> PromiseConfirmed => ConfirmPromise { api_version: None, confirmation };
    }
}

impl Carriers<'_> {
    /// `carriers.list` as a stream of carriers (Narvar does not paginate: one request).
    pub fn stream(&self, filter: ListCarriers) -> impl futures_util::Stream<Item = Result<CarrierSummary>> + '_ {
        use futures_util::StreamExt as _;
        futures_util::stream::once(self.list(filter)).flat_map(|r| {
            let items: Vec<Result<CarrierSummary>> = match r {
                Ok(list) => list.into_value().carriers.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        })
    }
}

impl CarrierAccounts<'_> {
    /// `carrier_accounts.list` as a stream of accounts.
    pub fn stream(&self) -> impl futures_util::Stream<Item = Result<CarrierAccount>> + '_ {
        use futures_util::StreamExt as _;
        futures_util::stream::once(self.list()).flat_map(|r| {
            let items: Vec<Result<CarrierAccount>> = match r {
                Ok(list) => list.into_value().carrier_accounts.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        })
    }
}

impl BlockingCarriers<'_> {
    /// `carriers.list` as an iterator of carriers.
    pub fn iter(&self, filter: ListCarriers) -> Result<impl Iterator<Item = CarrierSummary>> {
        Ok(self.list(filter)?.into_value().carriers.into_iter())
    }
}

impl BlockingCarrierAccounts<'_> {
    /// `carrier_accounts.list` as an iterator of accounts.
    pub fn iter(&self) -> Result<impl Iterator<Item = CarrierAccount>> {
        Ok(self.list()?.into_value().carrier_accounts.into_iter())
    }
}

impl Returns<'_> {
    /// Downloads a label from its `label_url` (in `return_methods` of a [`ReturnLabel`]) through
    /// the client's transport: the same deadline, retries and response cap as every call, no
    /// credentials sent, no redirects followed, and no error quotes the URL or its token.
    pub async fn download_label(&self, label_url: &str) -> Result<Response<LabelFile>> {
        self.download_label_with(label_url, narvar_core::CallOptions::default()).await
    }

    /// [`Returns::download_label`] with per-call options (timeout, tracer id).
    pub async fn download_label_with(&self, label_url: &str, opts: narvar_core::CallOptions) -> Result<Response<LabelFile>> {
        self.0.inner.driver.download_label(label_url, &opts).await
    }
}

impl BlockingReturns<'_> {
    /// [`Returns::download_label`], blocking.
    pub fn download_label(&self, label_url: &str) -> Result<Response<LabelFile>> {
        self.0.block(self.0.inner().returns().download_label(label_url))
    }
}
